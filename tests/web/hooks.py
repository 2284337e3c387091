"""A recipe hook for the test portal's redesigned list (layout v2), as IT would write one."""

from __future__ import annotations

from connectors.web.session import PortalOrder, PortalSession


def list_order_cards(session: PortalSession) -> list[PortalOrder]:
    """The POs of the card layout, which no CSS row selector of the recipe describes."""
    session.open(session.url("/orders"), "#order-cards", "list.table")
    with session.browser("list.row"):
        cards = session.page.eval_on_selector_all(
            "#order-cards li.order-card a", "els => els.map(a => [a.innerText, a.href])"
        )
    return [PortalOrder(po_id=text.strip(), url=href) for text, href in cards]
