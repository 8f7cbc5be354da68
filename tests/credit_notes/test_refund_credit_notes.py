"""Every refund of an invoiced order gets one Stripe credit note on its invoice: lines per product and seat
for a refund of everything, the amount for a part refund, the Stripe refund linked; exactly once under
duplicate and reordered events, retries and a note Stripe made before our record of it."""

import datetime as dt

import pytest
import stripe
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from checkout.stripe_client import stripe_client
from credit_notes import issuing
from credit_notes import reconcile as credit_reconcile
from credit_notes.models import CreditNote
from tests.credit_notes.conftest import note_posts
from tests.stripe_fake import make_event

pytestmark = pytest.mark.django_db


def refund_events(fake, order, refund):
    return [
        make_event("refund.created", refund),
        make_event("charge.refunded", fake.charge_for(order.stripe_session_id)),
    ]


def test_a_full_refund_credits_every_line_of_the_invoice_once(paid, fake_stripe, deliver_event):
    refund = fake_stripe.refund(paid.stripe_session_id)
    created, charged = refund_events(fake_stripe, paid, refund)

    deliver_event(created)
    deliver_event(charged)
    deliver_event(created)  # Stripe redelivers
    deliver_event(make_event("refund.updated", refund))

    [post] = note_posts(fake_stripe)
    invoice = fake_stripe.invoice_for(paid.stripe_session_id)
    [line] = invoice["lines"]["data"]
    assert post.form["invoice"] == paid.invoice_id
    assert post.form["lines"] == [
        {"type": "invoice_line_item", "invoice_line_item": line["id"], "quantity": "2"}
    ]
    assert "amount" not in post.form and "out_of_band_amount" not in post.form
    assert post.form["refunds"] == [{"refund": refund["id"], "amount_refunded": str(refund["amount"])}]
    assert post.form["reason"] == "order_change" and paid.reference in post.form["memo"]
    assert (
        post.header("Idempotency-Key") == f"credit-note-{paid.reference}-{paid.token}-refund:{refund['id']}"
    )
    [note] = CreditNote.objects.filter(order=paid)
    [stripe_note] = fake_stripe.credit_notes.values()
    assert (note.stripe_credit_note_id, note.number, note.amount_cents) == (
        stripe_note["id"],
        stripe_note["number"],
        paid.total_cents,
    )
    assert note.refund.stripe_refund_id == refund["id"] and note.source_key == f"refund:{refund['id']}"
    assert note.pdf_url == stripe_note["pdf"] and note.pdf_url.startswith("https://")
    assert note.stripe_invoice_id == paid.invoice_id and note.currency == paid.currency
    assert paid.history.filter(kind="credit note", message__contains=note.number).count() == 1


def test_two_part_refunds_get_one_credit_note_each_for_their_amount(paid, fake_stripe, deliver_event):
    first = fake_stripe.refund(paid.stripe_session_id, amount=1000)
    second = fake_stripe.refund(paid.stripe_session_id, amount=2500)
    # Reordered: the second refund's event first, then the first's twice.
    deliver_event(make_event("refund.created", second))
    deliver_event(make_event("refund.created", first))
    deliver_event(make_event("refund.updated", first))

    posts = note_posts(fake_stripe)
    assert sorted(int(p.form["amount"]) for p in posts) == [1000, 2500]
    assert all("lines" not in p.form for p in posts)
    notes = CreditNote.objects.filter(order=paid).order_by("amount_cents")
    assert [(n.amount_cents, n.refund.stripe_refund_id) for n in notes] == [
        (1000, first["id"]),
        (2500, second["id"]),
    ]


def test_a_pending_refund_waits_for_its_credit_note_until_it_succeeds(paid, fake_stripe, deliver_event):
    refund = fake_stripe.refund(paid.stripe_session_id, amount=700, status="pending")
    deliver_event(make_event("refund.created", refund))
    assert not note_posts(fake_stripe) and not CreditNote.objects.exists()

    deliver_event(make_event("refund.updated", fake_stripe.update_refund(refund["id"], status="succeeded")))

    [note] = CreditNote.objects.all()
    assert note.amount_cents == 700


def test_a_note_stripe_made_before_our_record_of_it_is_recorded_not_made_again(
    paid, fake_stripe, deliver_event
):
    refund = fake_stripe.refund(paid.stripe_session_id, amount=900)
    # The worker asked Stripe and died before recording the answer (a day later: the key has expired).
    stripe_client().v1.credit_notes.create(
        params={
            "invoice": paid.invoice_id,
            "amount": 900,
            "refunds": [{"refund": refund["id"]}],
            "metadata": {"source": f"refund:{refund['id']}"},
        }
    )

    deliver_event(make_event("refund.created", refund))

    assert len(fake_stripe.credit_notes) == 1 and len(note_posts(fake_stripe)) == 1
    [note] = CreditNote.objects.all()
    assert note.source_key == f"refund:{refund['id']}" and note.refund.stripe_refund_id == refund["id"]


def test_a_stripe_outage_is_retried_and_makes_one_note(paid, fake_stripe, deliver_event, settings):
    settings.MONEY_RETURNED_TASKS = []  # run by hand below
    refund = fake_stripe.refund(paid.stripe_session_id, amount=800)
    deliver_event(make_event("refund.created", refund))
    fake_stripe.fail_next("500")

    with pytest.raises(stripe.APIError):
        issuing.issue_credit_notes(paid.pk)
    assert not CreditNote.objects.exists()

    assert issuing.issue_credit_notes(paid.pk) == f"refund:{refund['id']} credited"
    assert issuing.issue_credit_notes(paid.pk) == "nothing to credit"
    assert len(note_posts(fake_stripe)) == 1 and CreditNote.objects.count() == 1


def test_a_lost_dispute_is_credited_as_money_returned_outside_stripe(paid, fake_stripe, deliver_event):
    dispute = fake_stripe.dispute(paid.stripe_session_id, status="needs_response")
    deliver_event(make_event("charge.dispute.created", dispute))
    assert not note_posts(fake_stripe)  # an open dispute is not money given back yet

    lost = fake_stripe.close_dispute(dispute["id"], won=False)
    deliver_event(make_event("charge.dispute.closed", lost))
    deliver_event(make_event("charge.dispute.closed", lost))

    [post] = note_posts(fake_stripe)
    assert post.form["out_of_band_amount"] == str(dispute["amount"]) and "refunds" not in post.form
    assert post.form["reason"] == "fraudulent"
    [note] = CreditNote.objects.all()
    assert note.out_of_band_cents == dispute["amount"] and note.refund is None


def test_a_refund_larger_than_what_is_left_on_the_invoice_is_flagged_and_not_credited(
    paid, fake_stripe, deliver_event
):
    # Staff credited the whole invoice in Stripe's dashboard already (money back by bank transfer).
    stripe_client().v1.credit_notes.create(
        params={
            "invoice": paid.invoice_id,
            "amount": paid.total_cents,
            "out_of_band_amount": paid.total_cents,
        }
    )
    refund = fake_stripe.refund(paid.stripe_session_id, amount=500)
    deliver_event(make_event("refund.created", refund))

    assert len(note_posts(fake_stripe)) == 1  # only staff's
    paid.refresh_from_db()
    assert paid.needs_review and f"refund:{refund['id']}" in paid.review_reason
    assert "more than is left on invoice" in paid.review_reason
    [recorded] = CreditNote.objects.all()  # staff's note, found on the invoice
    assert recorded.source_key is None and recorded.amount_cents == paid.total_cents


def test_a_refund_in_another_currency_than_the_invoice_is_flagged_and_not_credited(
    paid, fake_stripe, deliver_event
):
    refund = fake_stripe.refund(paid.stripe_session_id, amount=500)
    with fake_stripe._lock:
        fake_stripe.refunds[refund["id"]]["currency"] = "eur"
    deliver_event(make_event("refund.created", refund))

    assert not note_posts(fake_stripe) and not CreditNote.objects.exists()
    paid.refresh_from_db()
    assert "is in EUR but invoice" in paid.review_reason


def test_a_note_stripe_refuses_on_a_void_invoice_is_flagged_and_nothing_is_recorded(
    paid, fake_stripe, deliver_event, run_tasks
):
    with fake_stripe._lock:
        fake_stripe.invoices[paid.invoice_id]["status"] = "void"
    refund = fake_stripe.refund(paid.stripe_session_id, amount=500)

    deliver_event(make_event("refund.created", refund))

    assert len(note_posts(fake_stripe)) == 1 and not fake_stripe.credit_notes
    assert not CreditNote.objects.exists()
    paid.refresh_from_db()
    assert f"Stripe refused the credit note for refund:{refund['id']}" in paid.review_reason
    assert "this one is void" in paid.review_reason
    assert run_tasks() == 0  # no retry waiting: asking again cannot help


def test_an_order_without_an_invoice_asks_stripe_for_nothing(paid, fake_stripe, deliver_event):
    type(paid).objects.filter(pk=paid.pk).update(invoice_id="")
    fake_stripe.set_session(paid.stripe_session_id, invoice=None)  # a session from before invoices
    refund = fake_stripe.refund(paid.stripe_session_id, amount=500)
    deliver_event(make_event("refund.created", refund))

    assert not note_posts(fake_stripe) and not CreditNote.objects.exists()


def test_reconcile_issues_a_note_whose_task_never_ran_and_finds_a_voided_one(
    paid, fake_stripe, deliver_event, capsys
):
    refund = fake_stripe.refund(paid.stripe_session_id, amount=600)
    deliver_event(make_event("refund.created", refund), run=False)
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.all().delete()  # the queued work is lost

    call_command("reconcile_stripe")

    [note] = CreditNote.objects.all()
    assert note.amount_cents == 600
    assert "Ledger" not in capsys.readouterr().out  # the order adds up again
    stripe_client().v1.credit_notes.void_credit_note(note.stripe_credit_note_id)
    lines = list(credit_reconcile.reconcile(timezone.now() - dt.timedelta(days=1)))
    note.refresh_from_db()
    # Voided in Stripe: recorded as void, and the ledger no longer adds up (the refund has no note).
    assert any("Ledger" in line for line in lines)
    assert note.status == CreditNote.Status.VOID


def test_the_refund_receipt_names_the_credit_note_and_links_its_pdf(paid, fake_stripe, deliver_event):
    mail.outbox.clear()
    refund = fake_stripe.refund(paid.stripe_session_id, amount=1100)
    deliver_event(make_event("refund.created", refund))
    deliver_event(make_event("refund.updated", refund))

    [note] = CreditNote.objects.all()
    [receipt] = mail.outbox  # the receipt names the note: no second email
    assert receipt.subject.startswith("Refund of $11")
    assert f"Credit note {note.number} records this refund" in receipt.body
    assert note.pdf_url in receipt.body and note.pdf_url in receipt.alternatives[0][0]


def test_a_receipt_sent_before_the_note_existed_is_followed_by_the_credit_note(
    paid, fake_stripe, deliver_event, run_tasks, settings
):
    settings.MONEY_RETURNED_TASKS = []  # the credit note comes after the receipt went
    mail.outbox.clear()
    refund = fake_stripe.refund(paid.stripe_session_id, amount=1100)
    deliver_event(make_event("refund.created", refund))
    [receipt] = mail.outbox
    assert "Credit note" not in receipt.body

    issuing.issue_credit_notes(paid.pk)
    run_tasks()
    issuing.issue_credit_notes(paid.pk)
    run_tasks()

    [note] = CreditNote.objects.all()
    [follow_up] = mail.outbox[1:]
    assert follow_up.subject == f"Credit note {note.number} for order {paid.reference}"
    assert follow_up.to == [paid.email]
    assert note.pdf_url in follow_up.body and note.pdf_url in follow_up.alternatives[0][0]
    assert "$11" in follow_up.body and paid.invoice_number in follow_up.body


def test_the_follow_up_waits_while_the_receipt_is_still_to_be_sent(
    paid, fake_stripe, deliver_event, settings
):
    from credit_notes import emails

    settings.MONEY_RETURNED_TASKS = []
    refund = fake_stripe.refund(paid.stripe_session_id, amount=1100)
    deliver_event(make_event("refund.created", refund), run=False)  # the receipt is not sent yet
    from tests.checkout.conftest import run_ready_tasks

    run_ready_tasks()
    note, _ = _record_note_for(paid, refund)
    type(paid).emails.rel.related_model.objects.filter(
        order=paid, purpose__startswith="refund-receipt"
    ).update(sent_at=None)

    with pytest.raises(emails.ReceiptNotSentYet):
        emails.send_credit_note_email.func(note.pk)
    emails.receipt_context(note.refund)  # the receipt is written naming it
    assert emails.send_credit_note_email.func(note.pk) == "the refund receipt names it"


def _record_note_for(order, refund):
    from checkout.stripe_credit_notes import credit_note_value
    from credit_notes.converge import record_credit_note

    made = stripe_client().v1.credit_notes.create(
        params={
            "invoice": order.invoice_id,
            "amount": refund["amount"],
            "refunds": [{"refund": refund["id"]}],
        }
    )
    return record_credit_note(order.pk, credit_note_value(made.to_dict()), source="test")


def test_an_invoice_stripe_does_not_know_is_flagged_not_retried(paid, fake_stripe, deliver_event, run_tasks):
    with fake_stripe._lock:
        del fake_stripe.invoices[paid.invoice_id]  # another account's id, or a restarted sandbox
    deliver_event(make_event("refund.created", fake_stripe.refund(paid.stripe_session_id, amount=500)))

    assert not note_posts(fake_stripe) and not CreditNote.objects.exists()
    paid.refresh_from_db()
    assert f"Invoice {paid.invoice_id} could not be read from Stripe" in paid.review_reason
    assert run_tasks() == 0
