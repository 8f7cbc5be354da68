"""`credit_note.created` and `credit_note.voided` converge on the note as Stripe has it now (routed to credit
notes through settings.STRIPE_EVENT_EXTRAS: payments never imports credit notes)."""

import pytest

from checkout.stripe_client import stripe_client
from credit_notes.models import CreditNote
from payments.models import StripeEvent
from tests.stripe_fake import make_event

pytestmark = pytest.mark.django_db


def _dashboard_note(invoice_id: str) -> dict:
    return (
        stripe_client()
        .v1.credit_notes.create(
            params={"invoice": invoice_id, "amount": 500, "out_of_band_amount": 500, "reason": "order_change"}
        )
        .to_dict()
    )


def test_a_note_made_in_stripes_dashboard_is_recorded_from_its_event_and_its_voiding_too(
    paid, fake_stripe, deliver_event
):
    note = _dashboard_note(paid.invoice_id)

    deliver_event(make_event("credit_note.created", note))
    deliver_event(make_event("credit_note.created", note))  # a second delivery of another event id

    [record] = CreditNote.objects.all()
    assert record.order == paid and record.amount_cents == 500 and record.status == CreditNote.Status.ISSUED
    assert record.source_key is None

    voided = stripe_client().v1.credit_notes.void_credit_note(note["id"]).to_dict()
    deliver_event(make_event("credit_note.voided", voided))

    record.refresh_from_db()
    assert record.status == CreditNote.Status.VOID
    assert paid.history.filter(kind="credit note", message__contains="is void").count() == 1
    assert StripeEvent.objects.filter(type="credit_note.voided", handled_at__isnull=False).count() == 1


def test_the_voided_event_before_the_created_one_ends_the_same(paid, fake_stripe, deliver_event):
    note = _dashboard_note(paid.invoice_id)
    voided = stripe_client().v1.credit_notes.void_credit_note(note["id"]).to_dict()

    deliver_event(make_event("credit_note.voided", voided))
    deliver_event(make_event("credit_note.created", note))  # stale: Stripe's current note is void

    [record] = CreditNote.objects.all()
    assert record.status == CreditNote.Status.VOID


def test_a_note_on_an_invoice_of_no_order_is_answered_and_ignored(fake_stripe, deliver_event, db):
    response = deliver_event(
        make_event("credit_note.created", {"id": "cn_test_unknown", "object": "credit_note"})
    )

    assert response.status_code == 200 and not CreditNote.objects.exists()
