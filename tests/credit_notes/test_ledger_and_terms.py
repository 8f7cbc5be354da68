"""The ledger check (invoices less credit notes = money kept, per currency) and credit notes on invoices on
terms (a payment request's invoice paid by card on its hosted page)."""

import pytest
from django.core.management import call_command

from checkout.models import Order
from credit_notes import ledger
from credit_notes.models import CreditNote
from tests.checkout.payreq_helpers import deliver_new_events, payer_link, send_request
from tests.credit_notes.conftest import note_posts
from tests.stripe_fake import make_event

pytestmark = pytest.mark.django_db


def test_a_refunded_order_with_its_credit_note_adds_up_and_is_not_flagged(
    paid, fake_stripe, deliver_event, capsys
):
    deliver_event(make_event("refund.created", fake_stripe.refund(paid.stripe_session_id, amount=1200)))

    call_command("check_invoices")

    assert "Every invoiced order adds up." in capsys.readouterr().out
    paid.refresh_from_db()
    assert not paid.needs_review


def test_a_refund_without_its_credit_note_flags_the_order_with_both_figures(
    paid, fake_stripe, deliver_event, settings, capsys
):
    settings.MONEY_RETURNED_TASKS = []  # the credit note never came
    deliver_event(make_event("refund.created", fake_stripe.refund(paid.stripe_session_id, amount=1200)))

    call_command("check_invoices")

    out = capsys.readouterr().out
    paid.refresh_from_db()
    invoiced, kept = (
        ledger.format_money(paid.total_cents, "USD"),
        ledger.format_money(paid.total_cents - 1200, "USD"),
    )
    assert paid.needs_review
    assert (
        f"invoices less credit notes come to {invoiced}, but the money kept is {kept}" in paid.review_reason
    )
    assert paid.reference in out and "1 difference(s) found." in out
    call_command("check_invoices")  # a second night flags nothing new
    paid.refresh_from_db()
    assert paid.review_reason.count("Ledger:") == 1


def test_a_credit_note_without_money_back_also_shows(paid, fake_stripe):
    CreditNote.objects.create(
        order=paid,
        stripe_credit_note_id="cn_test_dashboard",
        stripe_invoice_id=paid.invoice_id,
        amount_cents=500,
        currency="USD",
        created=paid.created_at,
    )

    [difference] = ledger.check_order(paid)

    assert (difference.invoiced_cents, difference.kept_cents) == (paid.total_cents - 500, paid.total_cents)


def test_a_void_credit_note_does_not_count(paid):
    CreditNote.objects.create(
        order=paid,
        stripe_credit_note_id="cn_test_void",
        stripe_invoice_id=paid.invoice_id,
        amount_cents=500,
        currency="USD",
        status=CreditNote.Status.VOID,
        created=paid.created_at,
    )

    assert ledger.differences(paid) == []


def test_orders_without_an_invoice_or_money_are_not_checked(paid, catalog, buy):
    _, pending = buy("level-i", 1)
    Order.objects.filter(pk=pending.pk).update(invoice_id="in_test_never_paid")  # no money received
    Order.objects.filter(pk=paid.pk).update(invoice_id="")

    assert list(ledger.invoiced_orders()) == []


@pytest.fixture(params=["card", "bank transfer"])
def paid_on_terms(request, client, catalog, fake_stripe, run_tasks, deliver_event):
    paid_by = request.param
    _, request = send_request(client)
    run_tasks()
    client.post(payer_link(), {"action": "invoice"})
    run_tasks()
    request.refresh_from_db()
    seen: set[str] = set()
    deliver_new_events(fake_stripe, deliver_event, seen)
    if paid_by == "card":
        fake_stripe.pay_invoice(request.stripe_invoice_id)
    else:
        invoice = fake_stripe.invoices[request.stripe_invoice_id]
        fake_stripe.fund_cash_balance(invoice["customer"], invoice["amount_due"])
    types = ("invoice.", "customer_cash_balance_transaction.")
    deliver_new_events(fake_stripe, deliver_event, seen, types)
    run_tasks()
    request.refresh_from_db()
    assert request.state == request.State.PAID
    return request


def test_a_refund_of_an_invoice_on_terms_is_credited_on_that_invoice(
    paid_on_terms, fake_stripe, deliver_event, capsys
):
    request = paid_on_terms
    intent_id = fake_stripe.invoices[request.stripe_invoice_id]["payments"]["data"][0]["payment"][
        "payment_intent"
    ]
    refund = fake_stripe.refund(intent_id)

    deliver_event(make_event("refund.created", refund))

    [post] = note_posts(fake_stripe)
    assert post.form["invoice"] == request.stripe_invoice_id
    assert len(post.form["lines"]) == len(fake_stripe.invoices[request.stripe_invoice_id]["lines"]["data"])
    [note] = CreditNote.objects.filter(order_id=request.order_id)
    assert (
        note.amount_cents == request.amount_due_cents and note.stripe_invoice_id == request.stripe_invoice_id
    )
    call_command("check_invoices")
    assert "Every invoiced order adds up." in capsys.readouterr().out


def test_the_transactions_export_puts_the_credit_note_beside_its_refund(paid, fake_stripe, deliver_event):
    from finance.transactions import TransactionFilter, csv_stream
    from tests.finance.conftest import read_csv

    refund = fake_stripe.refund(paid.stripe_session_id, amount=1200)
    deliver_event(make_event("refund.created", refund))
    [note] = CreditNote.objects.all()

    rows = read_csv("".join(csv_stream(TransactionFilter())))

    [refund_row] = [row for row in rows if row["type"] == "refund"]
    columns = list(refund_row)
    assert columns[columns.index("stripe_payout_id") + 1 :][:6] == [
        "credit_note_number",
        "credit_note_invoice",
        "credit_note_amount",
        "credit_note_tax",
        "credit_note_reason",
        "credit_note_date",
    ]
    assert (refund_row["credit_note_number"], refund_row["credit_note_invoice"]) == (
        note.number,
        paid.invoice_id,
    )
    assert (refund_row["credit_note_amount"], refund_row["credit_note_tax"]) == ("12.00", "0.00")
    assert refund_row["credit_note_reason"] == "order_change" and refund_row["credit_note_date"]
    [payment_row] = [row for row in rows if row["type"] == "payment"]
    assert payment_row["credit_note_number"] == ""


def test_the_dashboard_lists_the_periods_credit_notes(paid, fake_stripe, deliver_event, client):
    import datetime as dt

    from django.urls import reverse
    from django.utils import timezone

    from tests.factories import make_staff

    deliver_event(make_event("refund.created", fake_stripe.refund(paid.stripe_session_id, amount=1200)))
    [note] = CreditNote.objects.all()
    client.force_login(make_staff("finance", group="Finance"))
    today = timezone.now().date()
    query = {
        "since": today.isoformat(),
        "until": (today + dt.timedelta(days=1)).isoformat(),
        "currency": "USD",
    }

    page = client.get(reverse("finance:dashboard"), query).content.decode()
    section = page[page.index("<h2>Credit notes</h2>") :]
    assert f">{note.number}</th><td>{paid.reference}</td><td>{paid.invoice_id}</td>" in section
    assert "$12" in section and "order_change" in section

    earlier = {"since": "2026-01-01", "until": "2026-02-01", "currency": "USD"}
    page = client.get(reverse("finance:dashboard"), earlier).content.decode()
    assert "No credit notes in this period." in page
