"""Recording a credit note Stripe issued: one row per Stripe credit note (by its id), with Stripe's figures,
and a line in the order's history. A second note for money another note already answers is recorded as
what it is (a money fact) but flagged for staff, never counted twice as the answer to that money."""

from collections.abc import Iterator
from typing import Any

from django.db import transaction
from django.utils import timezone

from catalog.money import format_money
from checkout import states, stripe_gateway
from checkout.models import Order
from checkout.stripe_credit_notes import CreditNoteValue
from credit_notes.emails import send_credit_note_email
from credit_notes.models import CreditNote
from credit_notes.sources import refund_key
from payments.models import Refund
from payments.review import flag

KEY_PREFIXES = ("refund:", "dispute:", "correction:")


def source_key_of(note: CreditNoteValue) -> str | None:
    """The money the note answers: what the shop wrote in its metadata, else the one refund it links."""
    if note.source.startswith(KEY_PREFIXES):
        return note.source
    return refund_key(note.linked_refund_ids[0]) if len(note.linked_refund_ids) == 1 else None


def _values(note: CreditNoteValue) -> dict[str, Any]:
    return {
        "number": note.number,
        "status": note.status if note.status in CreditNote.Status.values else CreditNote.Status.ISSUED,
        "pdf_url": note.pdf_url,
        "amount_cents": note.total.amount,
        "tax_cents": note.tax_cents,
        "out_of_band_cents": note.out_of_band_cents,
        "currency": note.total.currency,
        "reason": note.reason,
        "memo": note.memo,
        "linked_refund_ids": list(note.linked_refund_ids),
    }


@transaction.atomic
def record_credit_note(order_id: int, note: CreditNoteValue, *, source: str) -> tuple[CreditNote, bool]:
    """Store (or bring up to date) one Stripe credit note of the order; (row, whether it is new)."""
    order = Order.objects.select_for_update().get(pk=order_id)
    note_id = note.id
    values = _values(note)
    existing = CreditNote.objects.filter(stripe_credit_note_id=note_id).first()
    if existing is not None:
        changed = [field for field, value in values.items() if getattr(existing, field) != value]
        for field in changed:
            setattr(existing, field, values[field])
        if changed:
            existing.save(update_fields=[*changed, "updated_at"])
        if "status" in changed:
            states.note(order, "credit note", f"Credit note {existing} is {existing.status}.", source=source)
        return existing, False
    key = source_key_of(note)
    answered = CreditNote.objects.filter(source_key=key).first() if key else None
    if answered is not None:
        flag(
            order,
            f"Credit note {note_id} answers {key}, which credit note {answered} already answers: check the "
            "invoice in Stripe.",
            source=source,
        )
        key = None
    refund = None
    if key and key.startswith("refund:"):
        refund = Refund.objects.filter(order=order, stripe_refund_id=key.partition(":")[2]).first()
    record = CreditNote.objects.create(
        order=order,
        stripe_credit_note_id=note_id,
        stripe_invoice_id=note.invoice_id,
        source_key=key,
        refund=refund,
        created=note.created or timezone.now(),
        **values,
    )
    states.note(
        order,
        "credit note",
        f"Credit note {record} on invoice {record.stripe_invoice_id}: "
        f"{format_money(record.amount_cents, record.currency or order.currency)}"
        f"{f' (tax {format_money(record.tax_cents, record.currency)})' if record.tax_cents else ''}.",
        source=source,
    )
    if refund is not None and order.email:
        send_credit_note_email.enqueue(record.pk)  # unless the refund receipt names it
    return record, True


def listed_notes(invoice_id: str) -> Iterator[CreditNoteValue]:
    return stripe_gateway.credit_notes_on(invoice_id)


def converge_invoice_notes(order: Order, invoice_id: str, *, source: str) -> list[CreditNoteValue]:
    """Record every credit note Stripe has on the invoice; return them as Stripe lists them."""
    notes = list(listed_notes(invoice_id))
    for note in notes:
        record_credit_note(order.pk, note, source=source)
    return notes
