"""The workbench's own settings (``[ui]`` in ``o2c.toml``)."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from hub.settings import Section, Settings


class UiSettings(Section):
    """Workbench behaviour and finance rules."""

    revalidate_on_approve: bool = True
    """Run the validation robot right after ADV approves an order, so the person sees
    the outcome at once (otherwise the scheduler's next run validates it)."""

    four_eyes_amount: Decimal = Field(default=Decimal(10000), ge=0)
    """A manual cash decision on a payment above this amount needs a second person."""

    write_off_tolerance: Decimal = Field(default=Decimal(5), ge=0)
    """The largest difference finance may write off in one decision."""

    login_max_failures: int = Field(default=5, gt=0)
    """Failed logins per user name or address before further tries are refused."""

    login_window_minutes: int = Field(default=15, gt=0)
    """The window those failures are counted in."""

    page_size: int = Field(default=50, gt=0, le=500)
    """Rows per page in the lists."""


def ui_settings(settings: Settings) -> UiSettings:
    """The ``[ui]`` section."""
    return settings.section("ui", UiSettings)
