"""The pages of "My company pays" as a person uses them: the request form on the review page (each field
once, errors marked on the field), and the payer's page that follows the invoice without a reload."""

import re

import pytest

from tests.checkout.payreq_helpers import fresh_request_throttle, send_request  # noqa: F401  (the fixture: autouse)

pytestmark = pytest.mark.django_db


def _ids(html: str) -> list[str]:
    return re.findall(r'\sid="([^"]+)"', html)


def test_a_refused_request_form_shows_each_field_once(client, catalog, fake_stripe):
    response, _ = send_request(client, payer_email="not an address", buyer_email="", ap_email="x@")
    html = response.content.decode()

    ids = _ids(html)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert html.count('name="request-quantity"') == 1
    assert html.count('name="request-po_number"') == 1
    # The card form keeps its own fields, with what the buyer typed for seats and PO number.
    assert re.search(r'name="quantity"[^>]*value="10"', html)
    assert re.search(r'name="po_number"[^>]*value="PO-4471"', html)


@pytest.mark.parametrize("name", ["buyer_email", "payer_email", "ap_email"])
def test_each_email_field_of_the_request_form_shows_its_error(client, catalog, fake_stripe, name):
    response, _ = send_request(client, **{name: "not an address"})
    html = response.content.decode()

    field = re.search(rf'<input type="email" name="request-{name}"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in field
    assert f"id_request-{name}_error" in field  # described by its error text
    assert f'id="id_request-{name}_error"' in html


def test_email_fields_and_the_note_are_styled_like_the_other_fields():
    from pathlib import Path

    css = Path("static/css/site.css").read_text()

    assert ".buy-form input[type=email]" in css and ".buy-form textarea" in css
    assert ".field-invalid input[type=email]" in css


def _preparing(client, run_tasks):
    from tests.checkout.payreq_helpers import payer_link

    _, request = send_request(client)
    run_tasks()
    link = payer_link()
    client.post(link, {"action": "invoice"})
    return request, link


def test_the_payers_page_follows_the_invoice_without_a_reload_and_refreshes_itself_without_js(
    client, catalog, fake_stripe, run_tasks
):
    _, link = _preparing(client, run_tasks)

    html = client.get(link).content.decode()

    assert "reload this page" not in html
    assert re.search(r'<script src="/static/js/payer-state\.[0-9a-f]+\.js" defer></script>', html)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)  # no inline script: CSP allows 'self' only
    assert '<noscript><meta http-equiv="refresh"' in html
    state_url = re.search(r'data-state-url="([^"]+)"', html).group(1)
    assert state_url == f"{link}state/"


def test_the_state_part_shows_the_invoice_once_issued_and_changes_nothing(
    client, catalog, fake_stripe, run_tasks
):

    _, link = _preparing(client, run_tasks)

    before = client.get(f"{link}state/", headers={"Sec-Fetch-Mode": "navigate"})
    assert before.status_code == 200
    assert 'data-payer-state="preparing"' in before.content.decode()
    assert "no-store" in before["Cache-Control"]
    assert before["Referrer-Policy"] == "same-origin"
    assert "script-src 'self'" in before["Content-Security-Policy"]
    assert fake_stripe.requests == []
    run_tasks()

    after = client.get(f"{link}state/").content.decode()
    assert 'data-payer-state="issued"' in after
    assert "Pay by card or see bank transfer details" in after
    assert client.post(f"{link}state/").status_code == 405
    assert client.get(f"{link[:-2]}x/state/").status_code == 404


def test_the_state_part_never_marks_the_request_viewed(client, catalog, fake_stripe, run_tasks):
    from invoicing.models import PaymentRequest
    from tests.checkout.payreq_helpers import payer_link

    _, request = send_request(client)
    run_tasks()

    client.get(f"{payer_link()}state/", headers={"Sec-Fetch-Mode": "navigate"})

    request.refresh_from_db()
    assert request.state == PaymentRequest.State.SENT
