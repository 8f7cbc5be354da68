"""Corrections of an issued invoice's header: a paid invoice is credited in full (no money moves) and
replaced by a paid-in-full invoice; an unpaid invoice on terms is voided and issued again; the original is
never changed, every step lands in the order's history, and the ledger still adds up."""

import pytest
from django.core import mail
from django.urls import reverse

from access.sessions import SESSION_EMAIL, SESSION_SCOPE
from checkout.stripe_client import stripe_client
from corrections.models import InvoiceCorrection
from credit_notes import ledger
from credit_notes.models import CreditNote
from invoicing.models import PaymentRequest
from tests.checkout.conftest import completed_event
from tests.checkout.payreq_helpers import deliver_new_events, payer_link
from tests.corrections.conftest import HEADER, pay_on_terms
from tests.credit_notes.conftest import note_posts
from tests.stripe_fake import make_event

pytestmark = pytest.mark.django_db
State = InvoiceCorrection.State


def _post(client, url, action, **fields):
    return client.post(url, {**HEADER, **fields, "action": action})


def test_a_paid_card_invoice_is_credited_in_full_and_replaced_by_a_paid_invoice(
    paid, fake_stripe, client, sign_in, run_tasks
):
    sign_in(paid.email)
    url = reverse("corrections:buyer", args=[paid.reference])
    original = dict(fake_stripe.invoices[paid.invoice_id])
    assert url in client.get("/purchases/").content.decode()

    form = client.get(url)
    preview = _post(client, url, "preview")

    assert form.status_code == 200 and "Northlight Films" in form.content.decode()
    page = preview.content.decode()
    assert preview.status_code == 200 and "Northlight Films GmbH" in page and "Hafenstrasse 4" in page
    assert not InvoiceCorrection.objects.exists() and not fake_stripe.credit_notes

    confirmed = _post(client, url, "confirm")
    assert confirmed.status_code == 303
    [correction] = InvoiceCorrection.objects.all()
    assert correction.state == State.ISSUING and correction.kind == InvoiceCorrection.Kind.REPLACE
    assert correction.before["company_name"] == "Northlight Films"
    asked = paid.history.get(kind="invoice correction")
    assert "the buyer" in asked.message and "Northlight Films GmbH" in asked.message

    run_tasks()

    correction.refresh_from_db()
    assert correction.state == State.ISSUED
    new = fake_stripe.invoices[correction.new_invoice_id]
    assert new["status"] == "paid" and new["paid_out_of_band"] and new["total"] == paid.total_cents
    assert new["customer_name"] == "Northlight Films GmbH" and new["payments"]["data"] == []
    assert fake_stripe.customers[new["customer"]]["address"]["line1"] == "Hafenstrasse 4"
    [post] = note_posts(fake_stripe)
    assert post.form["invoice"] == paid.invoice_id
    assert post.form["out_of_band_amount"] == str(paid.total_cents) and "refund_amount" not in post.form
    [note] = CreditNote.objects.filter(order=paid)
    assert note.amount_cents == paid.total_cents and note.source_key == f"correction:{correction.pk}"
    assert fake_stripe.invoices[paid.invoice_id]["status"] == original["status"] == "paid"
    assert fake_stripe.invoices[paid.invoice_id]["number"] == original["number"]
    assert len(fake_stripe.refunds) == 0
    assert paid.history.filter(kind="invoice correction", message__contains="issued").exists()
    assert ledger.differences(paid) == []
    paid.refresh_from_db()
    assert not paid.needs_review
    assert correction.new_invoice_number in client.get("/purchases/").content.decode()
    [email] = [m for m in mail.outbox if m.subject.startswith("Corrected invoice")]
    assert email.to == [paid.email] and "credited in full (no money moves)" in email.body
    run_tasks()
    assert len([m for m in mail.outbox if m.subject.startswith("Corrected invoice")]) == 1


def test_a_get_of_the_correction_page_changes_nothing(paid, client, sign_in):
    sign_in(paid.email)
    url = reverse("corrections:buyer", args=[paid.reference])

    client.get(url, {**HEADER, "action": "confirm"})

    assert not InvoiceCorrection.objects.exists()


def test_someone_else_cannot_correct_the_buyers_invoice(paid, client):
    session = client.session
    session[SESSION_EMAIL] = "someone@else.example"
    session.save()

    response = _post(client, reverse("corrections:buyer", args=[paid.reference]), "confirm")

    assert response.status_code == 404 and not InvoiceCorrection.objects.exists()


def test_a_second_correction_while_the_first_is_issued_is_refused(paid, client, sign_in, fake_stripe):
    sign_in(paid.email)
    url = reverse("corrections:buyer", args=[paid.reference])
    _post(client, url, "confirm")

    second = _post(client, url, "confirm", company_name="Another Name AG")

    assert second.status_code == 409 and "being issued now" in second.content.decode()
    assert InvoiceCorrection.objects.count() == 1
    assert not [r for r in fake_stripe.requests if r.path.startswith("/v1/invoices") and r.method == "POST"]


def test_nothing_different_is_refused(paid, client, sign_in):
    sign_in(paid.email)
    url = reverse("corrections:buyer", args=[paid.reference])
    same = {**dict.fromkeys(HEADER, ""), "company_name": "Northlight Films"}

    response = client.post(url, {**same, "action": "confirm"})

    assert response.status_code == 409 and "Nothing is different" in response.content.decode()
    assert not InvoiceCorrection.objects.exists()


def test_an_invoice_already_credited_is_refused_and_the_task_refuses_a_note_larger_than_what_is_left(
    paid, client, sign_in, fake_stripe, run_tasks, settings
):
    sign_in(paid.email)
    url = reverse("corrections:buyer", args=[paid.reference])
    _post(client, url, "confirm")
    # A refund credited at Stripe after the correction was asked for: the whole amount is no longer left.
    settings.MONEY_RETURNED_TASKS = []
    refund = fake_stripe.refund(paid.stripe_session_id, amount=1000)
    stripe_client().v1.credit_notes.create(
        params={
            "invoice": paid.invoice_id,
            "amount": 1000,
            "refunds": [{"refund": refund["id"], "amount_refunded": 1000}],
        }
    )

    run_tasks()

    [correction] = InvoiceCorrection.objects.all()
    assert correction.state == State.REFUSED and "larger than what is left" in correction.problem
    assert not correction.new_invoice_id and len(fake_stripe.credit_notes) == 1
    again = _post(client, url, "confirm", company_name="Third Try Ltd")
    assert again.status_code == 409 and "already has a credit note" in again.content.decode()


@pytest.mark.parametrize("paid_by", ["card", "bank transfer"])
def test_an_unpaid_invoice_on_terms_is_voided_and_issued_again_then_paid(
    issued_on_terms, client, fake_stripe, run_tasks, deliver_event, paid_by
):
    request = issued_on_terms
    original_id, original_number = request.stripe_invoice_id, request.invoice_number
    link = payer_link()
    url = client.get(link).context["correction_url"]
    assert url == reverse("corrections:payer", args=[link.split("/")[2]])

    response = _post(client, url, "confirm", company_name="Studio Holdings Ltd")
    assert response.status_code == 303
    run_tasks()

    request.refresh_from_db()
    [correction] = InvoiceCorrection.objects.all()
    assert correction.kind == InvoiceCorrection.Kind.REISSUE and correction.state == State.ISSUED
    assert "accounts payable" in correction.requested_by
    assert fake_stripe.invoices[original_id]["status"] == "void"
    assert request.stripe_invoice_id == correction.new_invoice_id != original_id
    assert request.state == PaymentRequest.State.ISSUED and request.company_name == "Studio Holdings Ltd"
    new = fake_stripe.invoices[request.stripe_invoice_id]
    assert new["status"] == "open" and new["total"] == fake_stripe.invoices[original_id]["total"]
    assert new["customer_name"] == "Studio Holdings Ltd"
    assert request.invoice_number == new["number"] != original_number
    assert new["number"] in client.get(link).content.decode()
    assert not fake_stripe.credit_notes
    [email] = [m for m in mail.outbox if m.subject.startswith("Corrected invoice")]
    assert email.to == ["max@studio.example"] and email.cc == ["ap@studio.example"]
    assert "please pay the new one instead" in email.body and new["invoice_pdf"] in email.body

    pay_on_terms(fake_stripe, deliver_event, run_tasks, request, paid_by)

    request.order.refresh_from_db()
    assert request.order.status == request.order.Status.PAID and not request.order.needs_review
    assert ledger.differences(request.order) == []


@pytest.mark.parametrize("paid_by", ["card", "bank transfer"])
def test_a_paid_invoice_on_terms_is_credited_and_replaced(
    issued_on_terms, client, fake_stripe, run_tasks, deliver_event, paid_by
):
    request = issued_on_terms
    pay_on_terms(fake_stripe, deliver_event, run_tasks, request, paid_by)
    url = client.get(payer_link()).context["correction_url"]

    _post(client, url, "confirm", company_name="Studio Holdings Ltd", po_number="PO-7")
    run_tasks()

    [correction] = InvoiceCorrection.objects.all()
    assert correction.kind == InvoiceCorrection.Kind.REPLACE and correction.state == State.ISSUED
    new = fake_stripe.invoices[correction.new_invoice_id]
    assert new["status"] == "paid" and new["total"] == request.amount_due_cents
    assert {"name": "PO number", "value": "PO-7"} in new["custom_fields"]
    [note] = CreditNote.objects.all()
    assert note.stripe_invoice_id == request.stripe_invoice_id and note.out_of_band_cents == note.amount_cents
    assert fake_stripe.invoices[request.stripe_invoice_id]["status"] == "paid"
    assert ledger.differences(request.order) == []


def test_a_voided_invoice_cannot_be_corrected(issued_on_terms, client, fake_stripe, deliver_event):
    request = issued_on_terms
    link = payer_link()
    url = client.get(link).context["correction_url"]
    stripe_client().v1.invoices.void_invoice(request.stripe_invoice_id)  # staff, in Stripe's dashboard
    deliver_new_events(fake_stripe, deliver_event, set())
    request.refresh_from_db()
    assert request.state == PaymentRequest.State.CANCELLED

    response = _post(client, url, "confirm", company_name="Too Late Ltd")

    assert response.status_code == 409 and "was voided" in response.content.decode()
    assert not InvoiceCorrection.objects.exists()


def test_a_session_limited_to_one_order_sees_and_corrects_only_that_orders_invoice(
    paid, catalog, buy, deliver_event, fake_stripe, client
):
    _, other = buy("level-i", 1)
    deliver_event(completed_event(fake_stripe, other, business_name="Northlight Films"))
    other.refresh_from_db()
    assert other.email == paid.email and other.invoice_id
    session = client.session
    session[SESSION_EMAIL] = paid.email
    session[SESSION_SCOPE] = {"order": paid.pk, "link": None, "seats": False}
    session.save()

    page = client.get("/purchases/").content.decode()
    refused = _post(client, reverse("corrections:buyer", args=[other.reference]), "confirm")

    assert reverse("corrections:buyer", args=[paid.reference]) in page
    assert reverse("corrections:buyer", args=[other.reference]) not in page
    assert refused.status_code == 404 and not InvoiceCorrection.objects.exists()


def _confirm_as_buyer(client, sign_in, order, **fields):
    sign_in(order.email)
    return _post(client, reverse("corrections:buyer", args=[order.reference]), "confirm", **fields)


def test_an_invoice_stripe_has_in_another_currency_is_refused_with_nothing_issued(
    paid, client, sign_in, fake_stripe, run_tasks
):
    _confirm_as_buyer(client, sign_in, paid)
    fake_stripe.invoices[paid.invoice_id]["currency"] = "eur"

    run_tasks()

    [correction] = InvoiceCorrection.objects.all()
    assert correction.state == State.REFUSED and "is in EUR" in correction.problem
    assert not correction.new_invoice_id and not fake_stripe.credit_notes
    assert paid.history.filter(message__contains="not made").exists()


def test_a_new_invoice_whose_total_differs_is_never_finalized_and_the_original_is_not_credited(
    paid, client, sign_in, fake_stripe, run_tasks
):
    _confirm_as_buyer(client, sign_in, paid)
    fake_stripe.invoices[paid.invoice_id]["total"] += 1  # Stripe's figure disagrees with the order's lines

    run_tasks()

    [correction] = InvoiceCorrection.objects.all()
    assert correction.state == State.REFUSED and "never changes the amount" in correction.problem
    assert fake_stripe.invoices[correction.new_invoice_id]["status"] == "draft"
    assert not fake_stripe.credit_notes and not CreditNote.objects.exists()
    again = _post(client, reverse("corrections:buyer", args=[paid.reference]), "preview")
    assert again.status_code == 200  # a refused correction no longer blocks the next one


def test_a_reissued_invoice_paid_then_corrected_again_credits_the_reissued_one_and_adds_up(
    issued_on_terms, client, fake_stripe, run_tasks, deliver_event
):
    request = issued_on_terms
    url = client.get(payer_link()).context["correction_url"]
    _post(client, url, "confirm", company_name="Studio Holdings Ltd")
    run_tasks()
    request.refresh_from_db()
    reissued = request.stripe_invoice_id
    pay_on_terms(fake_stripe, deliver_event, run_tasks, request, "card")

    _post(client, url, "confirm", company_name="Studio Holdings Ltd", po_number="PO-NEW")
    run_tasks()

    first, second = InvoiceCorrection.objects.order_by("pk")
    assert (first.kind, second.kind) == (InvoiceCorrection.Kind.REISSUE, InvoiceCorrection.Kind.REPLACE)
    assert second.original_invoice_id == reissued and second.state == State.ISSUED
    assert second.before["company_name"] == "Studio Holdings Ltd" and second.before["po_number"] == "PO-9001"
    [note] = CreditNote.objects.all()
    assert note.stripe_invoice_id == reissued
    assert ledger.differences(request.order) == []


def test_a_refund_after_a_correction_is_credited_on_the_invoice_that_replaced_the_original(
    paid, client, sign_in, fake_stripe, run_tasks, deliver_event
):
    _confirm_as_buyer(client, sign_in, paid)
    run_tasks()
    [correction] = InvoiceCorrection.objects.all()

    deliver_event(make_event("refund.created", fake_stripe.refund(paid.stripe_session_id, amount=1500)))

    refund_note = CreditNote.objects.get(source_key__startswith="refund:")
    assert refund_note.stripe_invoice_id == correction.new_invoice_id and refund_note.amount_cents == 1500
    assert refund_note.refund is not None and refund_note.out_of_band_cents == 1500  # no payment paid it
    assert len(fake_stripe.credit_notes) == 2
    assert ledger.differences(paid) == []
    paid.refresh_from_db()
    assert not paid.needs_review, paid.review_reason


def test_an_invoice_voided_at_stripe_after_the_correction_was_asked_for_is_refused_with_nothing_made(
    issued_on_terms, client, fake_stripe, run_tasks
):
    url = client.get(payer_link()).context["correction_url"]
    _post(client, url, "confirm", company_name="Studio Holdings Ltd")
    stripe_client().v1.invoices.void_invoice(issued_on_terms.stripe_invoice_id)  # staff, in the dashboard

    run_tasks()

    [correction] = InvoiceCorrection.objects.all()
    assert correction.state == State.REFUSED and "was voided" in correction.problem
    assert not correction.new_invoice_id
    assert not [i for i in fake_stripe.invoices.values() if (i.get("metadata") or {}).get("correction")]
    assert "was voided" in client.get(url).content.decode()


def test_a_request_that_moved_on_meanwhile_keeps_its_invoice_and_the_new_one_is_voided(
    issued_on_terms, client, fake_stripe, run_tasks
):
    request = issued_on_terms
    original_id = request.stripe_invoice_id
    url = client.get(payer_link()).context["correction_url"]
    _post(client, url, "confirm", company_name="Studio Holdings Ltd")
    # The order was paid another way meanwhile, which closes the request (invoicing.closing).
    PaymentRequest.objects.filter(pk=request.pk).update(state=PaymentRequest.State.CLOSED)

    run_tasks()

    [correction] = InvoiceCorrection.objects.all()
    request.refresh_from_db()
    assert correction.state == State.REFUSED and "paid or withdrawn" in correction.problem
    assert request.stripe_invoice_id == original_id and request.company_name == "Studio Ltd"
    assert fake_stripe.invoices[correction.new_invoice_id]["status"] == "void"
