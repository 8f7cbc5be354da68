"""The correction page and what the purchases page and the admin show of corrections (issue 29's QA walk):
labelled fields with their hints and errors, a preview that only confirms or goes back, the outcome of the
last correction, the country's name, an optional company name, a page for the signed-out buyer, the
current invoice on the purchases page and readable admin records."""

import re

import pytest
from django.urls import reverse

from catalog.money import format_money
from corrections.models import InvoiceCorrection
from credit_notes.models import CreditNote
from tests.corrections.conftest import HEADER

pytestmark = pytest.mark.django_db
State = InvoiceCorrection.State


def _url(order):
    return reverse("corrections:buyer", args=[order.reference])


def _post(client, url, action, **fields):
    return client.post(url, {**HEADER, **fields, "action": action})


def _forms(page: str) -> list[str]:
    return re.findall(r"<form method=\"post\".*?</form>", page, re.S)


def test_every_field_has_a_label_and_its_hint_and_error_are_described(paid, client, sign_in):
    sign_in(paid.email)

    page = _post(client, _url(paid), "preview", company_name="", tax_id="DE123456789").content.decode()

    assert "as_p" not in page and 'class="buy-form"' in page
    for name in HEADER:
        assert f'<label for="id_{name}">' in page
    assert 'aria-describedby="id_company_name_error id_company_name_helptext"' in page
    assert 'aria-invalid="true"' in page
    assert "An invoice with a VAT number needs the company&#x27;s name." in page
    assert 'aria-describedby="id_tax_id_helptext"' in page


def test_a_vat_number_without_a_company_name_is_refused_on_the_server(paid, client, sign_in):
    sign_in(paid.email)

    response = _post(client, _url(paid), "confirm", company_name="  ", tax_id="DE123456789")

    assert response.status_code == 400 and not InvoiceCorrection.objects.exists()


def test_a_private_buyer_adds_an_address_without_a_company_name(paid, client, sign_in, run_tasks):
    sign_in(paid.email)
    url = _url(paid)

    response = _post(client, url, "confirm", company_name="")
    run_tasks()

    assert response.status_code == 303
    [correction] = InvoiceCorrection.objects.all()
    assert correction.company_name == "" and correction.address_line1 == "Hafenstrasse 4"
    assert correction.state == State.ISSUED, correction.problem


def test_the_preview_shows_the_table_and_one_confirm_form_with_a_way_back(paid, client, sign_in):
    sign_in(paid.email)
    url = _url(paid)

    page = _post(client, url, "preview").content.decode()

    [form] = _forms(page)
    assert 'value="confirm"' in form and 'value="change"' in form and 'type="text"' not in form
    assert 'name="company_name" value="Northlight Films GmbH"' in form
    assert "<th></th>" not in page and '<th scope="col">Detail</th>' in page
    back = _post(client, url, "change", po_number="PO-CHANGED").content.decode()
    [edit] = _forms(back)
    assert 'value="PO-CHANGED"' in edit and 'value="preview"' in edit and "Confirm the correction" not in back
    assert not InvoiceCorrection.objects.exists()


def test_the_country_is_named(paid_with_vat, client, sign_in):
    sign_in(paid_with_vat.email)

    page = client.get(_url(paid_with_vat)).content.decode()

    assert "Germany" in page and "Country: DE" not in page


def test_while_a_correction_is_pending_the_page_says_so_and_offers_no_form(paid, client, sign_in):
    sign_in(paid.email)
    url = _url(paid)
    confirmed = _post(client, url, "confirm")

    page = client.get(confirmed["Location"]).content.decode()

    assert "Correction received." in page and "within a few minutes" in page
    assert not _forms(page)


def test_a_correction_not_made_shows_the_reason_and_offers_the_form_again(paid, client, sign_in):
    sign_in(paid.email)
    url = _url(paid)
    _post(client, url, "confirm")
    InvoiceCorrection.objects.update(state=State.REFUSED, problem="Stripe has the invoice in euros.")

    page = client.get(url).content.decode()

    assert "was not made" in page and "Stripe has the invoice in euros." in page
    assert "within a few minutes" not in page and "Correction received" not in page
    [form] = _forms(page)
    assert 'value="preview"' in form


def test_a_correction_made_links_the_new_invoice(paid, client, sign_in, run_tasks):
    sign_in(paid.email)
    url = _url(paid)
    _post(client, url, "confirm")
    run_tasks()
    correction = InvoiceCorrection.objects.get()
    assert correction.state == State.ISSUED

    page = client.get(url).content.decode()

    assert "Correction made." in page and f'<a href="{correction.new_invoice_pdf_url}">' in page
    assert "within a few minutes" not in page


def test_signed_out_the_page_says_how_to_sign_in_whether_or_not_the_order_exists(paid, client):
    real = client.get(_url(paid))
    unknown = client.get(reverse("corrections:buyer", args=["CPMA-999999"]))

    assert real.status_code == unknown.status_code == 403

    def strip(page):
        # The page's own address (canonical link) aside, nothing differs.
        text = page.content.decode().replace(paid.reference, "REF").replace("CPMA-999999", "REF")
        return re.sub(r'value="[^"]{20,}"', "", text)

    assert strip(real) == strip(unknown)
    assert 'href="/purchases/"' in real.content.decode() and "sign-in link" in real.content.decode()


def test_the_purchases_page_links_the_corrected_invoice_and_names_the_note(paid, client, sign_in, run_tasks):
    sign_in(paid.email)
    _post(client, _url(paid), "confirm")
    run_tasks()
    correction = InvoiceCorrection.objects.get()
    [note] = CreditNote.objects.filter(order=paid)

    page = client.get("/purchases/").content.decode()

    block = page[page.index(f'id="order-{paid.reference}"') : page.index("Your invoices")]
    assert f'<a href="{correction.new_invoice_pdf_url}">Download invoice (PDF)</a>' in block
    assert f'<a href="{paid.invoice_pdf_url}">' not in block
    assert f"replaced by invoice {correction.new_invoice_number}" in block
    assert f"against invoice {paid.invoice_number} · no money moved (invoice corrected)" in page
    assert "against invoice in_" not in page and note.number in page


def test_a_refund_of_the_corrected_invoice_names_its_number_and_moves_money(
    paid, client, sign_in, run_tasks, fake_stripe, deliver_event
):
    from tests.stripe_fake import make_event

    sign_in(paid.email)
    _post(client, _url(paid), "confirm")
    run_tasks()
    correction = InvoiceCorrection.objects.get()
    deliver_event(make_event("refund.created", fake_stripe.refund(paid.stripe_session_id, amount=1500)))
    run_tasks()

    page = client.get("/purchases/").content.decode()

    assert CreditNote.objects.filter(stripe_invoice_id=correction.new_invoice_id).exists()
    assert f"$15 against invoice {correction.new_invoice_number} · " in page
    assert f"$15 against invoice {correction.new_invoice_number} · no money moved" not in page
    assert "against invoice in_" not in page


def test_the_admin_shows_money_and_readable_headers(paid, client, sign_in, run_tasks, admin_client):
    sign_in(paid.email)
    _post(client, _url(paid), "confirm")
    run_tasks()
    correction = InvoiceCorrection.objects.get()

    page = admin_client.get(f"/admin/corrections/invoicecorrection/{correction.pk}/change/").content.decode()

    assert f'<div class="readonly">{format_money(paid.total_cents, paid.currency)}</div>' in page
    assert "cents" not in page.lower()
    for raw in ("Po number", "Address line1", "Pdf url", "Stripe customer id", "Original invoice id"):
        assert raw not in page
    assert "New invoice PDF" in page
    assert "<strong>Street address:</strong> Hafenstrasse 4" in page
    assert "<strong>Company name:</strong> Northlight Films" in page
    assert '{"' not in page
