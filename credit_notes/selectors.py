"""What other apps may show of credit notes without importing this app: the purchases page lists each
order's issued notes under its invoice (settings.PURCHASES_INVOICE_DOCUMENTS)."""

from dataclasses import dataclass
from datetime import datetime

from credit_notes.models import CreditNote
from invoicing.models import PaymentRequest


@dataclass(frozen=True)
class Document:
    number: str
    amount_cents: int
    currency: str
    pdf_url: str
    invoice_number: str  # empty when the invoice is not one this app knows (a correction's new invoice)
    created: datetime
    stripe_invoice_id: str = ""
    stripe_credit_note_id: str = ""
    # The whole note outside Stripe's money: nothing refunded through it (an invoice corrected, say).
    out_of_band: bool = False
    no_money_moved: bool = False  # set by the app that issued it for that reason (corrections)
    kind: str = "credit_note"


def documents_for_orders(order_ids: list[int]) -> dict[int, list[Document]]:
    """The issued credit notes of these orders, oldest first, by order id."""
    found: dict[int, list[Document]] = {}
    notes = CreditNote.objects.filter(order_id__in=order_ids, status=CreditNote.Status.ISSUED).select_related(
        "order"
    )
    for note in notes:
        order = note.order
        invoice = order.invoice_number if note.stripe_invoice_id == order.invoice_id else ""
        if not invoice:  # a payment request's invoice
            request = PaymentRequest.objects.filter(stripe_invoice_id=note.stripe_invoice_id).first()
            invoice = request.invoice_number if request else ""
        found.setdefault(note.order_id, []).append(
            Document(
                number=note.number or note.stripe_credit_note_id,
                amount_cents=note.amount_cents,
                currency=note.currency,
                pdf_url=note.pdf_url,
                invoice_number=invoice,
                created=note.created,
                stripe_invoice_id=note.stripe_invoice_id,
                stripe_credit_note_id=note.stripe_credit_note_id,
                out_of_band=note.out_of_band_cents >= note.amount_cents and not note.linked_refund_ids,
            )
        )
    return found
