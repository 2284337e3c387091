"""The ``[validate]`` section: typed, defaults documented, mistakes named."""

from __future__ import annotations

import tomllib
from decimal import Decimal

import pytest

from hub.errors import ConfigError
from hub.settings import Settings
from robots.validation_settings import ValidateSettings

SECTION = """
[validate]
price_tolerance_pct = 3.5
customer_price_tolerance_pct = { C1 = "5" }
four_eyes_amount = 25000
sender_customers = { "shop-42" = "C7" }
"""


def test_section_is_read_from_the_settings_file() -> None:
    rules = ValidateSettings.from_settings(Settings(tomllib.loads(SECTION)))
    assert rules.price_tolerance_pct == Decimal("3.5")
    assert rules.price_tolerance_for("C1") == Decimal(5)
    assert rules.price_tolerance_for("C2") == Decimal("3.5")
    assert rules.four_eyes_amount == Decimal(25000)
    assert rules.sender_customers == {"shop-42": "C7"}


def test_defaults_when_the_file_is_silent() -> None:
    rules = ValidateSettings.from_settings(Settings({}))
    assert (rules.price_tolerance_pct, rules.min_confidence, rules.overdue_days) == (
        Decimal(2), 0.85, 30)


@pytest.mark.parametrize(("section", "named"), [
    ({"price_tolerance_pct": "two"}, "price_tolerance_pct"),
    ({"min_confidence": 3}, "min_confidence"),
    ({"fuzzy_name_treshold": 90}, "fuzzy_name_treshold"),
], ids=["not a decimal", "out of range", "misspelled key"])
def test_a_wrong_value_is_named(section: dict[str, object], named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        ValidateSettings.from_settings(Settings({"validate": section}))


def test_every_setting_is_documented() -> None:
    assert all(f.description for f in ValidateSettings.model_fields.values())


def test_unit_spellings_map_to_one_code() -> None:
    rules = ValidateSettings()
    assert [rules.unit_code(u) for u in ("pcs", "PCE", "u.", "carton", "CT", None)] == [
        "C62", "C62", "C62", "CT", "CT", None]
