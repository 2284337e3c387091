"""Access: login, sessions, CSRF, rate limit, roles and the sales reps' own customers."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from hub.tables import AuditEventRow
from tests.ui.conftest import csrf_of, login


def test_pages_redirect_to_login_without_a_user(app):
    client = TestClient(app)
    response = client.get("/adv/exceptions?reason=X", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/adv/exceptions?reason=X"
    assert client.get("/dashboard", follow_redirects=False).status_code == 303


def test_session_cookie_is_httponly_and_samesite(app):
    client = TestClient(app)
    client.get("/login")
    token = csrf_of(client.get("/login").text)
    response = client.post("/login", data={"username": "adv1", "password":
                                           "correct horse battery", "csrf_token": token},
                           follow_redirects=False)
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert "secure" not in cookie  # plain HTTP on loopback; Secure is set under TLS
    assert response.headers["location"] == "/adv/exceptions"


def test_secure_cookie_over_tls(app):
    client = TestClient(app, base_url="https://testserver")
    cookie = client.get("/login").headers["set-cookie"].lower()
    assert "secure" in cookie


def test_login_refused_without_csrf_token(app):
    client = TestClient(app)
    client.get("/login")
    response = client.post("/login", data={"username": "adv1",
                                           "password": "correct horse battery"})
    assert response.status_code == 403


def test_action_refused_without_csrf_token(client_for, seeded):
    client = client_for("adv1")
    response = client.post(f"/orders/{seeded.pdf_order}/reject",
                           data={"reason_code": "price"})
    assert response.status_code == 403
    forged = client.post(f"/orders/{seeded.pdf_order}/reject",
                         data={"reason_code": "price", "csrf_token": "forged"})
    assert forged.status_code == 403
    assert "exception" in client.get(f"/orders/{seeded.pdf_order}").text


def test_forged_session_cookie_is_anonymous(app):
    client = TestClient(app)
    client.cookies.set("o2c_session", "eyJ1IjoiYm9zcyJ9.not-a-signature")
    assert client.get("/dashboard", follow_redirects=False).status_code == 303


def test_wrong_password_then_rate_limit(app, db):
    client = TestClient(app)
    for _ in range(5):
        token = csrf_of(client.get("/login").text)
        bad = client.post("/login", data={"username": "fin1", "password": "nope",
                                          "csrf_token": token})
        assert bad.status_code == 401
    token = csrf_of(client.get("/login").text)
    blocked = client.post("/login", data={"username": "fin1", "password":
                                          "correct horse battery", "csrf_token": token})
    assert blocked.status_code == 429
    assert "Too many failed logins" in blocked.text


def test_roles_are_enforced_server_side(client_for, seeded):
    adv = client_for("adv1")
    assert adv.get("/finance/payments").status_code == 403
    assert adv.get("/it/jobs").status_code == 403
    finance = client_for("fin1")
    assert finance.post(f"/orders/{seeded.pdf_order}/approve",
                        data={"csrf_token": csrf_of(finance.get("/finance/payments").text)}
                        ).status_code == 403
    admin = client_for("boss")
    for url in ("/adv/exceptions", "/finance/payments", "/it/jobs", "/sales"):
        assert admin.get(url).status_code == 200


def test_sales_rep_sees_only_own_customers(client_for, seeded):
    rep = client_for("rep1")
    assert "Acme Retail" in rep.get("/sales").text
    assert "Bistro Nord" not in rep.get("/sales").text
    assert rep.get("/customers/C001").status_code == 200
    assert rep.get("/customers/C002").status_code == 404
    assert rep.get(f"/orders/{seeded.other_rep_order}").status_code == 404
    assert rep.get(f"/orders/{seeded.pdf_order}").status_code == 200
    assert rep.get("/adv/exceptions").status_code == 403
    token = csrf_of(rep.get("/sales").text)
    assert rep.post(f"/orders/{seeded.pdf_order}/reject",
                    data={"reason_code": "price", "csrf_token": token}).status_code == 403


def test_login_and_logout_are_audited(client_for, db):
    client = client_for("it1")
    token = csrf_of(client.get("/it/jobs").text)
    assert client.post("/logout", data={"csrf_token": token},
                       follow_redirects=False).status_code == 303
    assert client.get("/it/jobs", follow_redirects=False).status_code == 303
    with db.session() as session:
        actions = list(session.scalars(select(AuditEventRow.action).where(
            AuditEventRow.entity_type == "user", AuditEventRow.entity_id == "it1")))
    assert actions == ["login", "logout"]


def test_open_redirect_refused(app):
    client = TestClient(app)
    token = csrf_of(client.get("/login?next=//evil.example/").text)
    response = client.post("/login", data={"username": "adv1", "password":
                                           "correct horse battery", "csrf_token": token,
                                           "next": "//evil.example/"}, follow_redirects=False)
    assert response.headers["location"] == "/adv/exceptions"
    assert login(TestClient(app), "adv1")
