"""Portal recipes and the robot's memory of POs: loading, refusing, persisting."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.web.portal import PortalTransport
from connectors.web.recipe import load_hook, load_recipe
from connectors.web.session import _file_name, public_url
from connectors.web.state import SeenOrders
from hub.errors import ConfigError

RECIPES = Path(__file__).parent / "recipes"


def test_test_portal_recipes_load() -> None:
    download = load_recipe(RECIPES / "download.toml")
    page = load_recipe(RECIPES / "page.toml")
    assert download.detail.download == "a#po-document"
    assert download.acknowledge is not None
    assert page.detail.lines is not None
    assert page.detail.fields["ship_to.address.city"] == "#ship-to-city"


def test_recipe_errors_name_the_file_and_key(tmp_path: Path) -> None:
    text = (
        (RECIPES / "download.toml").read_text().replace('row = "table#po-list tbody tr.po"\n', "")
    )
    bad = tmp_path / "bad.toml"
    bad.write_text(text + "\nsurprise = 1\n")
    with pytest.raises(ConfigError) as caught:
        load_recipe(bad)
    message = str(caught.value)
    assert str(bad) in message
    assert "list.row: Field required" in message
    assert "surprise: Extra inputs are not permitted" in message


def test_detail_needs_a_download_or_fields(tmp_path: Path) -> None:
    text = (RECIPES / "download.toml").read_text().replace('download = "a#po-document"', "")
    bad = tmp_path / "nodl.toml"
    bad.write_text(text)
    with pytest.raises(ConfigError, match="give either download, or fields and lines"):
        load_recipe(bad)


def test_not_toml_and_missing_file(tmp_path: Path) -> None:
    bad = tmp_path / "x.toml"
    bad.write_text("name = [")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_recipe(bad)
    with pytest.raises(ConfigError, match="cannot read it"):
        load_recipe(tmp_path / "absent.toml")


def test_hooks_load_or_say_how_to_name_them() -> None:
    assert load_hook("tests.web.hooks:list_order_cards").__name__ == "list_order_cards"
    with pytest.raises(ConfigError, match=r"package\.module:callable"):
        load_hook("tests.web.hooks:nothing_here")
    with pytest.raises(ConfigError, match="not found"):
        load_hook("no_such_module_xyz:f")


def test_transport_settings_are_checked(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="max_orders"):
        PortalTransport.from_settings({"recipe": str(RECIPES / "download.toml"), "max_orders": 0})
    with pytest.raises(ConfigError, match="base_url"):
        PortalTransport.from_settings({"recipe": str(RECIPES / "download.toml")})


def test_credentials_come_from_env_or_file_and_never_show(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = tmp_path / "portal.secret"
    secret.write_text("file-pass\n")
    settings = {
        "recipe": str(RECIPES / "download.toml"),
        "base_url": "http://127.0.0.1:9",
        "username_env": "T_PORTAL_USER",
        "password_env": "T_PORTAL_PW",
        "password_file": str(secret),
        "state_dir": str(tmp_path),
    }
    transport = PortalTransport.from_settings(settings)
    assert isinstance(transport, PortalTransport)
    with pytest.raises(ConfigError, match="username"):
        transport.credentials()
    monkeypatch.setenv("T_PORTAL_USER", "alice")
    creds = transport.credentials()
    assert (creds.username, creds.password) == ("alice", "file-pass")
    monkeypatch.setenv("T_PORTAL_PW", "env-pass")
    creds = transport.credentials()
    assert creds.password == "env-pass"
    assert "env-pass" not in repr(creds)
    assert creds.scrub("login env-pass failed") == "login *** failed"


def test_seen_orders_persist_and_only_move_forward(tmp_path: Path) -> None:
    path = tmp_path / "state" / "p.seen.json"
    seen = SeenOrders(path)
    seen.mark("PO-1", "stored")
    seen.mark("PO-2", "quarantined")
    seen.mark("PO-3", "acknowledged")
    seen.mark("PO-3", "stored")  # an acknowledged PO never goes back
    again = SeenOrders(path)
    assert again.stored("PO-1")
    assert not again.acknowledged("PO-1")
    assert again.states == {"PO-1": "stored", "PO-2": "quarantined", "PO-3": "acknowledged"}
    assert not again.stored("PO-4")
    assert [p.name for p in path.parent.iterdir()] == ["p.seen.json"]


def test_unreadable_state_file_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "p.seen.json"
    path.write_text("{not json")
    with pytest.raises(ConfigError, match="unreadable"):
        SeenOrders(path)


@pytest.mark.parametrize(
    ("disposition", "url", "expected"),
    [
        ('attachment; filename="PO-1.pdf"', "http://h/x", "PO-1.pdf"),
        (
            "attachment; filename*=UTF-8''..%2F..%2Fetc%2Fpasswd",
            "http://h/x",
            "_2F.._2Fetc_2Fpasswd",
        ),
        ('attachment; filename="../../etc/passwd"', "http://h/x", "passwd"),
        ("", "http://h/orders/PO-9/document", "document"),
        ("", "http://h/", "PO-9.bin"),
    ],
)
def test_download_names_never_become_paths(disposition: str, url: str, expected: str) -> None:
    assert _file_name(disposition, url, "PO-9") == expected


def test_public_url_drops_tokens() -> None:
    assert public_url("https://p.test/orders/1?token=abc#x") == "https://p.test/orders/1"
