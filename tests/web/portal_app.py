"""A customer procurement portal the tests serve on loopback, for the portal robot.

It has what supplier portals have: a login form, a paginated list of new purchase
orders, a page per PO with its fields and lines, a PO document to download (PDF made
with reportlab, or CSV), and an acknowledge button. Tests steer it through
:class:`PortalState`: expire every session, switch to a changed layout, count logins.
"""

from __future__ import annotations

import html
import io
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

import uvicorn
from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

USER, PASSWORD = "supplier-7", "Tr0ub4dor&3"
PAGE_SIZE = 10
SLOW_SECONDS = 1.2
Kind = Literal["pdf", "csv"]


@dataclass
class PortalLine:
    item: str
    description: str
    quantity: str
    unit: str
    price: Decimal

    @property
    def amount(self) -> Decimal:
        return Decimal(self.quantity) * self.price if self.quantity.isdigit() else Decimal(0)


@dataclass
class PortalPO:
    po_id: str
    kind: Kind
    order_date: date
    delivery_date: date
    lines: list[PortalLine]

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal(0))


@dataclass
class PortalState:
    """The portal's data and the switches tests use."""

    orders: dict[str, PortalPO] = field(default_factory=dict)
    acknowledged: set[str] = field(default_factory=set)
    sessions: set[str] = field(default_factory=set)
    layout: Literal["v1", "v2"] = "v1"
    page_size: int = PAGE_SIZE
    slow: set[str] = field(default_factory=set)
    """POs whose page answers only after SLOW_SECONDS."""
    expire_at_download: set[str] = field(default_factory=set)
    """POs whose document request finds the session just expired (once each)."""
    logins: int = 0
    requests: int = 0

    def expire_sessions(self) -> None:
        """Every session ends, as after the portal's idle timeout."""
        self.sessions.clear()


def make_orders(count: int, *, first: int = 1, bad: set[int] | None = None) -> dict[str, PortalPO]:
    """``count`` deterministic POs, PDF and CSV alternately; ``bad`` ones have a wrong quantity."""
    orders = {}
    for n in range(first, first + count):
        po_id = f"PO-{n:05d}"
        lines = [
            PortalLine(
                f"ITM-{n % 7 + k:03d}",
                f"Article {k} — qualité A",
                str(k * 3 + n % 5),
                "PCE",
                Decimal(f"{10 + k}.{n % 100:02d}"),
            )
            for k in range(1, 3)
        ]
        if bad and n in bad:
            lines[0].quantity = "douze"
        orders[po_id] = PortalPO(
            po_id,
            "pdf" if n % 2 else "csv",
            date(2026, 11, 2) + timedelta(days=n % 20),
            date(2026, 12, 1) + timedelta(days=n % 20),
            lines,
        )
    return orders


def french(value: Decimal) -> str:
    """``1 234,50`` as French portals write it."""
    return f"{value:,.2f}".replace(",", "\u202f").replace(".", ",")


def create_app(state: PortalState) -> FastAPI:
    """The portal as a FastAPI app over ``state``."""
    app = FastAPI()

    def logged_in(request: Request) -> bool:
        state.requests += 1
        return request.cookies.get("sid", "") in state.sessions

    @app.get("/login", response_class=HTMLResponse)
    def login_page(error: int = 0) -> str:
        message = '<p class="error">Identifiants invalides</p>' if error else ""
        return _page(
            "Connexion",
            f"""{message}<form id="login" method="post" action="/login">
<label>Utilisateur <input id="username" name="username"></label>
<label>Mot de passe <input id="password" name="password" type="password"></label>
<button id="sign-in" type="submit">Se connecter</button></form>""",
        )

    @app.post("/login")
    def login(username: str = Form(""), password: str = Form("")) -> Response:
        if not (
            secrets.compare_digest(username, USER) and secrets.compare_digest(password, PASSWORD)
        ):
            return RedirectResponse("/login?error=1", status_code=303)
        state.logins += 1
        sid = secrets.token_urlsafe(16)
        state.sessions.add(sid)
        response = RedirectResponse("/orders", status_code=303)
        response.set_cookie("sid", sid, httponly=True)
        return response

    @app.get("/orders", response_class=HTMLResponse)
    def order_list(request: Request, page: int = 1) -> Response:
        if not logged_in(request):
            return RedirectResponse("/login", status_code=303)
        new = [po for po_id, po in sorted(state.orders.items()) if po_id not in state.acknowledged]
        size = state.page_size
        shown = new[(page - 1) * size : page * size]
        more = len(new) > page * size
        return HTMLResponse(_page("Commandes", _list_html(state.layout, shown, page, more)))

    @app.get("/orders/{po_id}", response_class=HTMLResponse)
    def order_page(request: Request, po_id: str) -> Response:
        if not logged_in(request):
            return RedirectResponse("/login", status_code=303)
        if po_id in state.slow:
            time.sleep(SLOW_SECONDS)  # the portal's server is overloaded
        po = state.orders.get(po_id)
        if po is None:
            return HTMLResponse(_page("Introuvable", "<p>Commande inconnue</p>"), status_code=404)
        return HTMLResponse(_page(po.po_id, _detail_html(po, po_id in state.acknowledged)))

    @app.get("/orders/{po_id}/document")
    def order_document(request: Request, po_id: str) -> Response:
        if not logged_in(request):
            return RedirectResponse("/login", status_code=303)
        if po_id in state.expire_at_download:
            state.expire_at_download.discard(po_id)
            state.expire_sessions()
            return RedirectResponse("/login", status_code=303)
        po = state.orders[po_id]
        if po.kind == "pdf":
            return _attachment(pdf_document(po), "application/pdf", f"{po_id}.pdf")
        return _attachment(csv_document(po), "text/csv; charset=utf-8", f"{po_id}.csv")

    @app.post("/orders/{po_id}/acknowledge")
    def acknowledge(request: Request, po_id: str) -> Response:
        if not logged_in(request):
            return RedirectResponse("/login", status_code=303)
        state.acknowledged.add(po_id)
        return RedirectResponse(f"/orders/{po_id}", status_code=303)

    return app


def _page(title: str, body: str) -> str:
    return (
        f'<!doctype html><html lang="fr"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head><body>{body}</body></html>"
    )


def _attachment(content: bytes, media_type: str, name: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _list_html(layout: str, orders: list[PortalPO], page: int, more: bool) -> str:
    if layout == "v2":  # the portal's redesign: new markup, the old selectors find nothing
        items = "".join(
            f'<li class="order-card"><a href="/orders/{po.po_id}">{po.po_id}</a></li>'
            for po in orders
        )
        return f'<nav id="menu">Portail</nav><ul id="order-cards">{items}</ul>'
    rows = "".join(
        f'<tr class="po"><td class="po-id">{po.po_id}</td><td>{po.order_date:%d/%m/%Y}</td>'
        f'<td><a class="open" href="/orders/{po.po_id}">Ouvrir</a></td></tr>'
        for po in orders
    )
    nav = f'<a class="next" href="/orders?page={page + 1}">Suivant</a>' if more else ""
    return (
        f'<nav id="menu">Portail</nav><table id="po-list"><thead><tr><th>N°</th><th>Date</th>'
        f"<th></th></tr></thead><tbody>{rows}</tbody></table>{nav}"
    )


def _detail_html(po: PortalPO, acknowledged: bool) -> str:
    lines = "".join(
        f'<tr class="line"><td class="item">{ln.item}</td><td class="desc">'
        f'{html.escape(ln.description)}</td><td class="qty">{ln.quantity}</td>'
        f'<td class="unit">{ln.unit}</td><td class="price">{french(ln.price)}</td>'
        f'<td class="amount">{french(ln.amount)}</td></tr>'
        for ln in po.lines
    )
    ack = (
        '<span id="acknowledged">Accusé de réception envoyé</span>'
        if acknowledged
        else f'<form method="post" action="/orders/{po.po_id}/acknowledge">'
        '<button id="acknowledge">Accuser réception</button></form>'
    )
    return f"""<div id="po-detail"><h1 id="po-number">{po.po_id}</h1>
<dl><dt>Date</dt><dd id="po-date">{po.order_date:%d/%m/%Y}</dd>
<dt>Livraison</dt><dd id="delivery-date">{po.delivery_date:%d/%m/%Y}</dd>
<dt>Devise</dt><dd id="currency">EUR</dd>
<dt>Acheteur</dt><dd id="buyer-name">Grands Magasins du Rhône SA</dd>
<dt>GLN</dt><dd id="buyer-gln">3012345000001</dd>
<dt>Livrer à</dt><dd id="ship-to-name">Entrepôt de Corbas</dd>
<dd id="ship-to-street">12 rue des Frênes</dd><dd id="ship-to-postcode">69960</dd>
<dd id="ship-to-city">Corbas</dd><dd id="ship-to-country">FR</dd>
<dt>Total HT</dt><dd id="total">{french(po.total)}</dd></dl>
<table id="lines"><tbody>{lines}</tbody></table>
<a id="po-document" href="/orders/{po.po_id}/document">Télécharger le bon de commande</a>
{ack}</div>"""


def csv_document(po: PortalPO) -> bytes:
    """The PO as the portal's CSV export (semicolons, decimal commas)."""
    head = "po_number;order_date;buyer;item;description;quantity;unit;unit_price"
    rows = [
        f"{po.po_id};{po.order_date:%d/%m/%Y};Grands Magasins du Rhône SA;{ln.item};"
        f"{ln.description};{ln.quantity};{ln.unit};{french(ln.price)}"
        for ln in po.lines
    ]
    return ("\n".join([head, *rows]) + "\n").encode("utf-8")


def pdf_document(po: PortalPO) -> bytes:
    """The PO as the portal prints it (a text PDF made with reportlab)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)  # invariant: same PO, same bytes
    y = 800
    for text in [
        f"Bon de commande N° {po.po_id}",
        f"Date de commande : {po.order_date:%d/%m/%Y}",
        f"Date de livraison : {po.delivery_date:%d/%m/%Y}",
        "Acheteur : Grands Magasins du Rhône SA",
        "GLN : 3012345000001",
    ]:
        pdf.drawString(60, y, text)
        y -= 18
    y -= 12
    columns = (60, 130, 330, 380, 430, 500)
    for x, title in zip(
        columns, ("Réf", "Désignation", "Qté", "Unité", "PU HT", "Montant HT"), strict=True
    ):
        pdf.drawString(x, y, title)
    for ln in po.lines:
        y -= 18
        cells = (ln.item, ln.description, ln.quantity, ln.unit, french(ln.price), french(ln.amount))
        for x, cell in zip(columns, cells, strict=True):
            pdf.drawString(x, y, cell)
    pdf.drawString(430, y - 30, f"Total HT : {french(po.total)} EUR")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


@contextmanager
def serve(state: PortalState) -> Iterator[str]:
    """Serve the portal on a free loopback port; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(state), log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("test portal did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=5)
        sock.close()


def main(argv: list[str] | None = None) -> None:
    """Serve the portal alone (for the demo): ``python -m tests.web.portal_app --port 8765``."""
    import argparse

    parser = argparse.ArgumentParser(description="o2c test customer portal (loopback only)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--orders", type=int, default=6, help="number of new POs")
    parser.add_argument(
        "--bad",
        type=int,
        action="append",
        default=[],
        help="number of a PO whose first quantity is unreadable",
    )
    args = parser.parse_args(argv)
    state = PortalState(orders=make_orders(args.orders, bad=set(args.bad)))
    uvicorn.run(create_app(state), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
