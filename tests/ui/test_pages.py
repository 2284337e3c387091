"""Every workbench page answers for the roles that may see it (TestClient)."""

from __future__ import annotations

from tests.ui.conftest import csrf_of

PAGES = {
    "adv1": ["/adv/exceptions", "/adv/documents", "/disputes", "/dashboard",
             "/adv/exceptions?reason=UNKNOWN_PRODUCT&channel=edi&age=1h"],
    "fin1": ["/finance/payments", "/finance/payments/TRX-S1", "/finance/payments/TRX-BIG",
             "/finance/approvals", "/finance/credit", "/finance/exposure", "/disputes",
             "/dashboard"],
    "it1": ["/it/jobs", "/it/runs", "/it/documents", "/it/documents?q=PO-PDF-1", "/dashboard"],
    "rep1": ["/sales", "/customers/C001", "/disputes"],
}


def test_pages_render_for_their_roles(client_for):
    for user, urls in PAGES.items():
        client = client_for(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (user, url, response.text[:300])
            assert "<h1>" in response.text
            csrf_of(response.text)  # the log-out form at least carries the token


def test_order_page_shows_document_and_exception(client_for, seeded):
    client = client_for("adv1")
    page = client.get(f"/orders/{seeded.pdf_order}").text
    assert "UNKNOWN_PRODUCT" in page
    assert f"/documents/{seeded.pdf_document}/pages/1.png" in page
    assert 'class="box flagged"' in page
    image = client.get(f"/documents/{seeded.pdf_document}/pages/1.png")
    assert image.status_code == 200 and image.content.startswith(b"\x89PNG")
    crop = client.get(page.split('src="/evidence/')[1].split('"')[0].join(["/evidence/", ""]))
    assert crop.status_code == 200 and crop.content.startswith(b"\x89PNG")


def test_edi_document_pretty_printed(client_for, seeded):
    page = client_for("adv1").get(f"/orders/{seeded.edi_order}").text
    assert "UNH+1+ORDERS:D:96A:UN&#39;\nBGM+220+PO-EDI-1+9&#39;" in page


def test_failed_document_listed_with_reason(client_for):
    page = client_for("adv1").get("/adv/documents").text
    assert "broken.pdf" in page and "no PDF trailer" in page


def test_document_search_and_raw_download(client_for, seeded):
    client = client_for("it1")
    found = client.get("/it/documents", params={"q": "PO-EDI-1"}).text
    assert "po-edi-1.edi" in found and "po-pdf-1.pdf" not in found
    raw = client.get(f"/documents/{seeded.failed_document}/raw")
    assert raw.content == b"%PDF-1.4 broken"
    assert raw.headers["content-disposition"] == 'attachment; filename="broken.pdf"'


def test_search_text_is_plain(client_for):
    client = client_for("fin1")
    assert "BISTRO NORD" in client.get("/finance/payments", params={"q": "bistro"}).text
    assert "BISTRO NORD" not in client.get("/finance/payments", params={"q": "b%o"}).text
    assert "BISTRO NORD" not in client.get("/finance/payments", params={"q": "_ISTRO"}).text
