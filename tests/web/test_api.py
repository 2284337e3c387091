"""The web order API on SQLite and PostgreSQL, through FastAPI's test client."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openapi_spec_validator import validate as validate_spec
from sqlalchemy import select, update

from connectors.web.api import ApiSettings, build_router, register
from connectors.web.keys import create_key
from hub import plugins
from hub.db import Database
from hub.settings import Settings
from hub.tables import ApiKeyRow, DocumentContentRow, DocumentRow, OrderRow

ORDER: dict[str, Any] = {
    "buyer_order_number": "WEB-1001",
    "order_date": "2026-11-20",
    "currency": "EUR",
    "buyer": {"name": "Boutique Lumière", "gln": "3012345000001"},
    "lines": [
        {"line_number": 1, "gtin": "4000862141404", "quantity": "12", "unit_price": "3.50"},
        {"line_number": 2, "buyer_item_code": "LAMP-9", "quantity": "1.5", "unit": "KGM"},
    ],
}


def order(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(ORDER)
    data.update(changes)
    return data


@pytest.fixture
def app(db: Database) -> FastAPI:
    app = FastAPI()
    app.state.database = db
    app.include_router(build_router(ApiSettings(max_body_bytes=4096)))
    return app


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


def new_key(db: Database, sender: str) -> dict[str, str]:
    with db.session() as session:
        key = create_key(session, sender).key
    return {"Authorization": f"Bearer {key}"}


def test_order_is_stored_raw_queued_and_followed(db: Database, client: TestClient) -> None:
    auth = new_key(db, "shop-42")
    body = json.dumps(order()).encode()
    response = client.post("/api/v1/orders", content=body, headers=auth)
    assert response.status_code == 201, response.text
    answer = response.json()
    assert answer["status"] == "extracted"
    assert answer["status_url"] == f"http://testserver/api/v1/orders/{answer['order_id']}"
    assert response.headers["location"] == answer["status_url"]

    with db.session() as session:
        row = session.get(OrderRow, answer["order_id"])
        assert row is not None
        assert (row.channel, row.sender, row.format) == ("api", "shop-42", "api-json")
        document = session.scalars(select(DocumentRow)).one()
        assert (document.channel, document.status, document.sha256) == (
            "api",
            "extracted",
            row.document_sha256,
        )
        assert session.get(DocumentContentRow, document.sha256).content == body  # type: ignore[union-attr]
        assert row.header["source"]["sha256"] == document.sha256

    shown = client.get(answer["status_url"], headers=auth)
    assert shown.status_code == 200
    status = shown.json()
    assert status["order_id"] == answer["order_id"]
    assert status["buyer_order_number"] == "WEB-1001"
    assert [step["status"] for step in status["timeline"]] == ["extracted"]


def test_only_the_creating_sender_sees_the_order(db: Database, client: TestClient) -> None:
    mine, theirs = new_key(db, "shop-42"), new_key(db, "shop-77")
    created = client.post("/api/v1/orders", json=order(), headers=mine).json()
    url = f"/api/v1/orders/{created['order_id']}"
    assert client.get(url, headers=mine).status_code == 200
    other = client.get(url, headers=theirs)
    assert other.status_code == 404
    assert client.get("/api/v1/orders/ORD-UNKNOWN", headers=mine).status_code == 404
    assert client.get(url).status_code == 401


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Bearer nope",
        "Basic c2hvcDpwdw==",
        "Bearer o2c_000000000000_guess",
        "Bearer o2c_short_x",
    ],
)
def test_no_valid_key_is_401(db: Database, client: TestClient, authorization: str | None) -> None:
    new_key(db, "shop-42")
    headers = {"Authorization": authorization} if authorization else {}
    response = client.post("/api/v1/orders", json=order(), headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    with db.session() as session:
        assert session.scalars(select(DocumentRow)).all() == []


def test_a_right_prefix_with_a_wrong_secret_or_a_revoked_key_is_401(
    db: Database, client: TestClient
) -> None:
    auth = new_key(db, "shop-42")
    forged = auth["Authorization"][:-4] + "AAAA"
    assert (
        client.post("/api/v1/orders", json=order(), headers={"Authorization": forged}).status_code
        == 401
    )
    with db.session() as session:
        session.execute(update(ApiKeyRow).values(revoked_at=ApiKeyRow.created_at))
    assert client.post("/api/v1/orders", json=order(), headers=auth).status_code == 401


def test_keys_are_stored_hashed(db: Database) -> None:
    auth = new_key(db, "shop-42")
    key = auth["Authorization"].removeprefix("Bearer ")
    with db.session() as session:
        row = session.scalars(select(ApiKeyRow)).one()
        assert key not in (row.key_hash, row.key_prefix)
        assert len(row.key_hash) == 64
        assert key.split("_")[1] == row.key_prefix


def test_same_idempotency_key_answers_the_same_order(db: Database, client: TestClient) -> None:
    auth = new_key(db, "shop-42")
    first = client.post("/api/v1/orders", json=order(), headers={**auth, "Idempotency-Key": "k-1"})
    again = client.post(
        "/api/v1/orders", json=order(notes=["resent"]), headers={**auth, "Idempotency-Key": "k-1"}
    )
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    other = client.post(
        "/api/v1/orders",
        json=order(buyer_order_number="WEB-1002"),
        headers={**auth, "Idempotency-Key": "k-2"},
    )
    assert other.json()["order_id"] != first.json()["order_id"]
    with db.session() as session:
        assert len(session.scalars(select(OrderRow)).all()) == 2


def test_idempotency_keys_belong_to_their_sender(db: Database, client: TestClient) -> None:
    one, two = new_key(db, "shop-42"), new_key(db, "shop-77")
    first = client.post("/api/v1/orders", json=order(), headers={**one, "Idempotency-Key": "k"})
    second = client.post(
        "/api/v1/orders",
        json=order(buyer_order_number="X-2"),
        headers={**two, "Idempotency-Key": "k"},
    )
    assert first.json()["order_id"] != second.json()["order_id"]


def test_same_bytes_twice_give_the_same_order(db: Database, client: TestClient) -> None:
    auth = new_key(db, "shop-42")
    body = json.dumps(order()).encode()
    first = client.post("/api/v1/orders", content=body, headers=auth).json()
    second = client.post("/api/v1/orders", content=body, headers=auth).json()
    assert first["order_id"] == second["order_id"]


def test_source_is_always_the_hubs(db: Database, client: TestClient) -> None:
    auth = new_key(db, "shop-42")
    forged = {
        "channel": "edi",
        "sender": "someone-else",
        "sha256": "0" * 64,
        "format": "shopify",
        "document_ref": "#1001",
    }
    created = client.post("/api/v1/orders", json=order(source=forged), headers=auth).json()
    with db.session() as session:
        row = session.get(OrderRow, created["order_id"])
        assert row is not None
        source = row.header["source"]
    assert (source["channel"], source["sender"], source["format"]) == ("api", "shop-42", "shopify")
    assert source["sha256"] != "0" * 64
    assert source["document_ref"] == "#1001"


def test_invalid_order_is_422_with_field_paths_and_kept_as_failed(
    db: Database, client: TestClient
) -> None:
    auth = new_key(db, "shop-42")
    bad = order(currency="euro")
    bad["lines"][1]["quantity"] = 1.5  # a float never becomes an amount
    del bad["buyer_order_number"]
    response = client.post("/api/v1/orders", json=bad, headers=auth)
    assert response.status_code == 422
    problems = response.json()["detail"]
    assert {p["path"] for p in problems} == {"buyer_order_number", "currency", "lines[1].quantity"}
    assert ["body", "lines", 1, "quantity"] in [p["loc"] for p in problems]
    with db.session() as session:
        document = session.scalars(select(DocumentRow)).one()
        assert document.status == "failed"
        assert "lines[1].quantity" in (document.error or "")
        assert session.scalars(select(OrderRow)).all() == []


@pytest.mark.parametrize(
    ("body", "expected"), [(b"{not json", "not JSON"), (b"[1, 2]", "expected a JSON object")]
)
def test_body_that_is_not_an_object_is_422(
    db: Database, client: TestClient, body: bytes, expected: str
) -> None:
    response = client.post("/api/v1/orders", content=body, headers=new_key(db, "shop-42"))
    assert response.status_code == 422
    assert expected in response.json()["detail"][0]["msg"]


def test_body_over_the_cap_is_413(db: Database, client: TestClient) -> None:
    auth = new_key(db, "shop-42")
    big = order(notes=["x" * 5000])
    assert client.post("/api/v1/orders", json=big, headers=auth).status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: the cap holds while streaming
        yield b'{"notes": ["'
        for _ in range(10):
            yield b"y" * 1000
        yield b'"]}'

    assert client.post("/api/v1/orders", content=chunks(), headers=auth).status_code == 413
    with db.session() as session:
        assert session.scalars(select(DocumentRow)).all() == []


def test_openapi_document_describes_the_api(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    validate_spec(spec)  # a valid OpenAPI 3.1 document, not just JSON
    post = spec["paths"]["/api/v1/orders"]["post"]
    get = spec["paths"]["/api/v1/orders/{order_id}"]["get"]
    assert set(post["responses"]) >= {"201", "401", "413", "422"}
    assert set(get["responses"]) >= {"200", "401", "404"}
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in post["parameters"])
    assert post["security"] == get["security"] == [{"HTTPBearer": []}]
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    schema = post["requestBody"]["content"]["application/json"]["schema"]
    assert "source" not in schema["required"]
    assert "$ref" not in json.dumps(schema)
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(ORDER, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(order(lines=[]), schema)


def test_openapi_published_even_where_the_app_publishes_none(db: Database) -> None:
    app = FastAPI(openapi_url=None)  # as the workbench does for its own pages
    app.state.database = db
    register(app)
    with TestClient(app) as test_client:
        assert test_client.get("/openapi.json").status_code == 404
        spec = test_client.get("/api/v1/openapi.json").json()
    validate_spec(spec)
    assert spec["info"]["title"] == "o2c web order API"
    assert set(spec["paths"]) == {"/api/v1/orders", "/api/v1/orders/{order_id}"}


def test_body_cap_comes_from_the_servers_settings(db: Database) -> None:
    app = FastAPI()
    app.state.database = db
    app.state.settings = Settings({"web": {"api": {"max_body_bytes": 100}}})
    register(app)
    with TestClient(app) as test_client:
        response = test_client.post("/api/v1/orders", json=order(), headers=new_key(db, "s"))
    assert response.status_code == 413
    assert response.json() == {"detail": "request body over 100 bytes"}


def test_registered_through_the_web_entry_point(db: Database) -> None:
    registered = dict(plugins.load(plugins.WEB))
    assert registered["web-api"] is register
    app = FastAPI()
    app.state.database = db
    register(app)
    with TestClient(app) as test_client:
        response = test_client.post("/api/v1/orders", json=order(), headers=new_key(db, "shop-42"))
    assert response.status_code == 201
