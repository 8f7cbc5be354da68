"""`credit_note.created` and `credit_note.voided` (payments.events routes them here through
settings.STRIPE_EVENT_EXTRAS): the note is fetched from Stripe and recorded as Stripe has it now, on the
order whose invoice it credits, so a note made in Stripe's dashboard, a voided note, and events in any
order or repeated all end the same."""

from collections.abc import Mapping
from typing import Any

from checkout import stripe_gateway
from checkout.models import Order
from checkout.stripe_credit_notes import CreditNoteValue
from checkout.stripe_values import object_id
from credit_notes.converge import record_credit_note
from credit_notes.models import CreditNote
from invoicing.models import PaymentRequest


def order_for(note: CreditNoteValue) -> Order | None:
    """The order the note belongs to: the one we recorded it on, else the one its invoice is (the order's
    invoice, or a payment request's), else the reference in its metadata."""
    known = CreditNote.objects.filter(stripe_credit_note_id=note.id).first()
    if known is not None:
        return known.order
    invoice_id = note.invoice_id
    order = Order.objects.filter(invoice_id=invoice_id).first() if invoice_id else None
    if order is None and invoice_id:
        request = PaymentRequest.objects.filter(stripe_invoice_id=invoice_id).first()
        order = request.order if request else None
    reference = note.order_reference
    if order is None and reference:
        order = Order.objects.filter(reference=reference).first()
    return order


def handle_credit_note_event(data: Mapping[str, Any], *, source: str) -> Order | None:
    note_id = object_id(data.get("id"))
    if not note_id.startswith("cn_"):
        return None
    note = stripe_gateway.fetch_credit_note(note_id)
    order = order_for(note)
    if order is None:
        return None
    record_credit_note(order.pk, note, source=source)
    return order
