"""A VAT number added after purchase (within VAT_ID_CORRECTION_DAYS): nothing changes until the registry
confirms it; then the original is credited in full with the VAT refunded through the credit note, and a
reverse-charge invoice for the price before VAT replaces it. The fake registry (TAX_ID_REGISTRY=fake)
confirms a number, rejects one ending in 000 and is down for one ending in 999."""

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from catalog.money import decimal_text
from corrections.models import InvoiceCorrection
from credit_notes import ledger
from credit_notes.models import CreditNote
from finance.csv_text import iter_csv
from finance.export import ExportFilter, copy_csv, csv_stream, export_lines, iter_rows
from finance.reports import ReportPeriod, revenue_report
from finance.tax_figures import tax_summary
from finance.transactions import TransactionFilter, rows
from payments.models import Refund
from tests.checkout.payreq_helpers import deliver_new_events, payer_link, send_request
from tests.corrections.conftest import HEADER, pay_on_terms
from tests.credit_notes.conftest import note_posts
from tests.finance.conftest import read_csv
from tests.stripe_fake import make_event

pytestmark = pytest.mark.django_db
State = InvoiceCorrection.State


def _add_vat_number(client, sign_in, order, number: str):
    sign_in(order.email)
    url = reverse("corrections:buyer", args=[order.reference])
    return client.post(url, {**HEADER, "tax_id": number, "action": "confirm"}), url


def _stripe_writes(fake) -> list:
    return [r for r in fake.requests if r.method == "POST" and not r.path.startswith("/v1/checkout")]


def test_a_confirmed_vat_number_refunds_the_vat_and_reverse_charges_the_new_invoice(
    paid_with_vat, client, sign_in, fake_stripe, run_tasks, deliver_event
):
    order = paid_with_vat
    writes_before = len(_stripe_writes(fake_stripe))
    sign_in(order.email)
    preview = client.post(
        reverse("corrections:buyer", args=[order.reference]),
        {**HEADER, "tax_id": "DE 123 456 789", "action": "preview"},
    )
    assert "checked with the registry first" in preview.content.decode()

    response, _ = _add_vat_number(client, sign_in, order, "DE 123 456 789")

    assert response.status_code == 303
    [correction] = InvoiceCorrection.objects.all()
    assert correction.kind == InvoiceCorrection.Kind.VAT and correction.state == State.CHECKING
    assert correction.tax_id == "DE123456789"
    assert len(_stripe_writes(fake_stripe)) == writes_before  # nothing asked of Stripe before the registry

    run_tasks()
    deliver_new_events(fake_stripe, deliver_event, set(), ("refund.", "charge.refunded"))

    correction.refresh_from_db()
    assert correction.state == State.ISSUED and correction.vat_cents == order.tax_cents
    new = fake_stripe.invoices[correction.new_invoice_id]
    assert new["total"] == order.total_cents - order.tax_cents and new["paid_out_of_band"]
    assert new["customer_tax_ids"][0]["value"] == "DE123456789"
    [post] = note_posts(fake_stripe)
    assert post.form["refund_amount"] == str(order.tax_cents)
    assert post.form["out_of_band_amount"] == str(order.total_cents - order.tax_cents)
    [refund] = Refund.objects.filter(order=order)
    assert refund.amount_cents == order.tax_cents
    [note] = CreditNote.objects.filter(order=order)  # the refund is the note's own: no second note
    assert note.amount_cents == order.total_cents
    assert len(fake_stripe.credit_notes) == 1
    assert ledger.differences(order) == []
    assert order.history.filter(message__contains="is registered").exists()
    order.refresh_from_db()
    assert not order.needs_review, order.review_reason


def test_a_number_the_registry_rejects_changes_nothing(
    paid_with_vat, client, sign_in, fake_stripe, run_tasks
):
    writes_before = len(_stripe_writes(fake_stripe))

    _, url = _add_vat_number(client, sign_in, paid_with_vat, "DE123456000")
    run_tasks()

    [correction] = InvoiceCorrection.objects.all()
    assert correction.state == State.REFUSED
    assert correction.problem.startswith("The VAT registry did not confirm the VAT number DE123456000, so")
    assert "(" not in correction.problem and "fake registry" not in correction.problem
    assert len(_stripe_writes(fake_stripe)) == writes_before and not CreditNote.objects.exists()
    assert "the invoice stays as it was issued" in client.get(url).content.decode()
    # Staff keep the registry's own words in the order's history.
    assert paid_with_vat.history.filter(
        message__contains="DE123456000 not confirmed", message__icontains="registry's reason: "
    ).exists()
    [email] = [m for m in mail.outbox if "not confirmed" in m.subject]
    assert email.to == [paid_with_vat.email] and "DE123456000" in email.subject
    assert "did not confirm" in email.body and "nothing has changed" in email.body
    assert "Check the number" in email.body and "reply to this email" in email.body
    run_tasks()  # sent once however often the tasks run
    assert len([m for m in mail.outbox if "not confirmed" in m.subject]) == 1


def test_while_the_registry_cannot_answer_nothing_changes_and_the_page_says_so(
    paid_with_vat, client, sign_in, fake_stripe, run_tasks
):
    writes_before = len(_stripe_writes(fake_stripe))

    _, url = _add_vat_number(client, sign_in, paid_with_vat, "DE123456999")
    run_tasks()

    [correction] = InvoiceCorrection.objects.all()
    assert correction.state == State.CHECKING
    assert len(_stripe_writes(fake_stripe)) == writes_before
    assert "the VAT registry is checking the number" in client.get(url).content.decode()


def test_a_vat_number_after_the_allowed_days_is_refused(paid_with_vat, client, sign_in, settings):
    settings.VAT_ID_CORRECTION_DAYS = 60
    type(paid_with_vat).objects.filter(pk=paid_with_vat.pk).update(
        paid_at=paid_with_vat.paid_at - dt.timedelta(days=61)
    )

    response, _ = _add_vat_number(client, sign_in, paid_with_vat, "DE123456789")

    assert response.status_code == 409 and "within 60 days of payment" in response.content.decode()
    assert not InvoiceCorrection.objects.exists()


def test_a_vat_number_just_inside_the_allowed_days_is_taken(paid_with_vat, client, sign_in, settings):
    settings.VAT_ID_CORRECTION_DAYS = 60
    type(paid_with_vat).objects.filter(pk=paid_with_vat.pk).update(
        paid_at=paid_with_vat.paid_at - dt.timedelta(days=59)
    )

    response, _ = _add_vat_number(client, sign_in, paid_with_vat, "DE123456789")

    assert response.status_code == 303 and InvoiceCorrection.objects.get().state == State.CHECKING


def test_accounts_payable_add_a_vat_number_to_an_invoice_on_terms_paid_by_bank_transfer(
    client, catalog, fake_stripe, run_tasks, deliver_event
):
    _, request = send_request(client, billing_country="DE", company_name="Studio GmbH")
    run_tasks()
    link = payer_link()
    client.post(link, {"action": "invoice"})
    run_tasks()
    deliver_new_events(fake_stripe, deliver_event, set())
    request.refresh_from_db()
    pay_on_terms(fake_stripe, deliver_event, run_tasks, request, "bank transfer")
    order = request.order
    order.refresh_from_db()
    assert order.tax_cents > 0
    url = client.get(link).context["correction_url"]

    client.post(url, {**HEADER, "company_name": "Studio GmbH", "tax_id": "DE123456789", "action": "confirm"})
    run_tasks()
    deliver_new_events(fake_stripe, deliver_event, set(), ("refund.", "charge.refunded"))

    [correction] = InvoiceCorrection.objects.all()
    assert correction.kind == InvoiceCorrection.Kind.VAT and correction.state == State.ISSUED
    assert correction.vat_cents == order.tax_cents
    assert fake_stripe.invoices[correction.new_invoice_id]["total"] == order.total_cents - order.tax_cents
    assert Refund.objects.get(order=order).amount_cents == order.tax_cents
    assert CreditNote.objects.filter(order=order).count() == 1
    assert ledger.differences(order) == []


def test_the_vat_refund_is_all_tax_and_a_later_refund_of_the_rest_has_none(
    paid_with_vat, client, sign_in, fake_stripe, run_tasks, deliver_event
):
    order = paid_with_vat
    _add_vat_number(client, sign_in, order, "DE811907980")
    run_tasks()
    deliver_new_events(fake_stripe, deliver_event, set(), ("refund.", "charge.refunded"))

    [vat_refund] = Refund.objects.filter(order=order)
    assert vat_refund.tax_only and vat_refund.amount_cents == order.tax_cents
    assert vat_refund.tax_cents == order.tax_cents  # all of it, not the pro-rata share
    assert order.history.filter(message__contains=f"{vat_refund.stripe_refund_id} succeeded").exists()
    assert not order.history.filter(message__contains="tax part $4.").exists()
    correction = InvoiceCorrection.objects.get()
    [line] = read_csv("".join(csv_stream(ExportFilter())))
    assert (line["tax_refunded"], line["corrected_invoice_number"], line["corrected_tax_id"]) == (
        decimal_text(order.tax_cents, order.currency),
        correction.new_invoice_number,
        "DE811907980",
    )
    assert line["invoice_number"] == correction.original_invoice_number != ""
    assert line["corrected_company_name"] == correction.company_name != ""
    if connection.vendor == "postgresql":  # COPY writes what the Python writer writes
        assert "".join(copy_csv(export_lines(ExportFilter()))) == "".join(
            iter_csv(iter_rows(export_lines(ExportFilter())))
        )
    movements = read_csv("\n".join(",".join(row) for row in rows(TransactionFilter())))
    [refund_row] = [m for m in movements if m["type"] == "refund"]
    assert refund_row["tax_amount"] == f"-{decimal_text(order.tax_cents, order.currency)}"
    note = CreditNote.objects.get(order=order)
    assert (refund_row["credit_note_number"], refund_row["credit_note_invoice"]) == (
        note.number,
        correction.original_invoice_id,
    )

    out = io.StringIO()
    month = correction.issued_at.strftime("%Y-%m")
    start = correction.issued_at.date().replace(day=1)
    call_command("export_tax", stdout=out, since=str(start), until=str(start + dt.timedelta(days=32)))
    price = decimal_text(order.total_cents - order.tax_cents, order.currency)
    assert [line.split(",") for line in out.getvalue().strip().split("\r\n")][1:] == [
        [month, "DE", order.currency, "reverse_charge", price, "0.00", "0.00", "0"],
        # Paid and corrected in the same month: the sale and its VAT are moved out, the order still counted.
        [month, "DE", order.currency, "standard_rated", "0.00", "0.00", "", "1"],
    ]

    today = correction.issued_at.date()
    period = ReportPeriod(since=today, until=today + dt.timedelta(days=1), currency=order.currency)
    tax = tax_summary(period, revenue_report(period).totals)
    assert [(row.country, row.collected_cents) for row in tax.rows] == [("DE", 0)]
    assert tax.revenue_net_of_tax_cents == order.total_cents - order.tax_cents

    rest = order.total_cents - order.tax_cents
    deliver_event(make_event("refund.created", fake_stripe.refund(order.stripe_session_id, amount=rest)))

    later = Refund.objects.filter(order=order, tax_only=False).get()
    assert later.amount_cents == rest and later.tax_cents == 0
    vat_refund.refresh_from_db()
    assert vat_refund.tax_cents == order.tax_cents
    assert sum(r.tax_cents for r in Refund.objects.filter(order=order)) == order.tax_cents


def test_accounts_payable_who_add_a_rejected_number_are_the_ones_told(
    client, catalog, fake_stripe, run_tasks, deliver_event
):
    _, request = send_request(client, billing_country="DE", company_name="Studio GmbH")
    run_tasks()
    link = payer_link()
    client.post(link, {"action": "invoice"})
    run_tasks()
    deliver_new_events(fake_stripe, deliver_event, set())
    request.refresh_from_db()
    pay_on_terms(fake_stripe, deliver_event, run_tasks, request, "bank transfer")
    url = client.get(link).context["correction_url"]

    client.post(url, {**HEADER, "company_name": "Studio GmbH", "tax_id": "DE123456000", "action": "confirm"})
    run_tasks()

    [correction] = InvoiceCorrection.objects.all()
    asked_by = request.ap_email or request.payer_email
    assert correction.state == State.REFUSED and correction.requester_email == asked_by
    [email] = [m for m in mail.outbox if "not confirmed" in m.subject]
    assert email.to == [asked_by] and asked_by != request.order.email
