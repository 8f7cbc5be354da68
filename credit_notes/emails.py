"""Telling the buyer about the credit note for their refund. The refund receipt (payments) names the note
and links its PDF when the note exists as the receipt is written (settings.REFUND_RECEIPT_EXTRAS names
`receipt_context`, which marks the note as named). A receipt sent without it is followed by this app's own
short email (`send_credit_note_email`, at most once per note, through the outbox); while the receipt is
neither sent nor has named the note, the task waits (it retries), so the buyer is always told."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from checkout.emails import send_once
from checkout.models import EmailDelivery, Order
from checkout.receipts import order_email_links
from common.emails import email_message
from common.tasks import MAIL_QUEUE, retrying_task
from credit_notes.models import CreditNote
from payments.models import Refund
from payments.refund_receipts import purpose as receipt_purpose


class ReceiptNotSentYet(Exception):
    """The refund receipt is still to be sent: it will name the note, or this task's retry follows it."""


def note_for(refund: Refund) -> CreditNote | None:
    return CreditNote.objects.filter(refund=refund, status=CreditNote.Status.ISSUED).first()


def receipt_context(refund: Refund) -> dict:
    """What the refund receipt shows of the refund's credit note (nothing when there is none yet); the
    note is marked as named, so no follow-up email goes out for it."""
    note = note_for(refund)
    if note is None:
        return {}
    if note.named_in_receipt_at is None:
        CreditNote.objects.filter(pk=note.pk).update(named_in_receipt_at=timezone.now())
    return {"credit_note": note}


def purpose(note: CreditNote) -> str:
    return f"credit-note-{note.pk}"  # EmailDelivery.purpose holds 40 characters


def credit_note_message(order: Order, note: CreditNote) -> EmailMultiAlternatives:
    context = {
        "order": order,
        "note": note,
        "invoice_number": order.invoice_number
        if note.stripe_invoice_id == order.invoice_id and order.invoice_number
        else note.stripe_invoice_id,
        "links": order_email_links(order, order.email, "credit note"),
    }
    return email_message("credit_note", context, to=[order.email], reply_to=[settings.ORDER_REPLY_TO_EMAIL])


@retrying_task(queue=MAIL_QUEUE)
def send_credit_note_email(note_id: int) -> str:
    note = (
        CreditNote.objects.filter(pk=note_id, status=CreditNote.Status.ISSUED)
        .select_related("refund")
        .first()
    )
    if note is None or note.refund is None or not note.order.email:
        return "skipped"
    if note.named_in_receipt_at is not None:
        return "the refund receipt names it"
    receipt = EmailDelivery.objects.filter(
        order_id=note.order_id, purpose=receipt_purpose(note.refund)
    ).first()
    if receipt is None or receipt.sent_at is None:
        raise ReceiptNotSentYet(f"credit note {note}: the refund receipt is not sent yet")
    return send_once(
        note.order_id, purpose(note), lambda order: credit_note_message(order, note), label="Credit note"
    )
