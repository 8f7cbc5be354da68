"""The buyer's invoices on the purchases page (access names this in settings.PURCHASES_PAGE_PANELS): each
invoiced order they bought, its corrected invoice when there is one, and the link to correct its details."""

from dataclasses import dataclass, replace

from django.urls import reverse

from checkout.models import Order
from common.text import normalise_email
from corrections.models import InvoiceCorrection
from corrections.target import target_for
from credit_notes.selectors import documents_for_orders


def invoices_panel(*, email: str, only_order_id: int | None = None) -> dict | None:
    """The address's invoiced orders (only the one order a limited session sees)."""
    orders = Order.objects.filter(email__iexact=normalise_email(email), status__in=Order.MONEY_RECEIVED)
    if only_order_id is not None:
        orders = orders.filter(pk=only_order_id)
    entries = []
    for order in orders.exclude(invoice_id="").order_by("-created_at")[:20]:
        target = target_for(order)
        if target is None:
            continue
        entries.append(
            {
                "order": order,
                "target": target,
                "latest": order.invoice_corrections.first(),
                "url": reverse("corrections:buyer", args=[order.reference]),
            }
        )
    return {"template": "corrections/_purchases_invoices.html", "entries": entries} if entries else None


@dataclass(frozen=True)
class Replacement:
    """An order's invoice replaced by a correction: the order block links the current invoice."""

    number: str
    pdf_url: str
    original_number: str
    kind: str = "replacement"


def invoice_documents(order_ids: list[int]) -> dict[int, list]:
    """settings.PURCHASES_INVOICE_DOCUMENTS: the credit notes (credit_notes.selectors), each naming the
    invoice by its number (a correction's new invoice too) and saying when no money moved (a correction's
    note), led by the invoice that replaced the order's original when a correction was issued."""
    documents = documents_for_orders(order_ids)
    issued = InvoiceCorrection.objects.filter(order_id__in=order_ids, state=InvoiceCorrection.State.ISSUED)
    by_order: dict[int, list[InvoiceCorrection]] = {}
    for correction in issued.order_by("created_at", "id"):
        by_order.setdefault(correction.order_id, []).append(correction)
    numbers = {
        c.new_invoice_id: c.new_invoice_number for cs in by_order.values() for c in cs if c.new_invoice_id
    }
    numbers.update({c.original_invoice_id: c.original_invoice_number for cs in by_order.values() for c in cs})
    notes_of_corrections = {c.credit_note_id for cs in by_order.values() for c in cs if c.credit_note_id}
    found: dict[int, list] = {}
    for order_id in order_ids:
        notes = [
            replace(
                note,
                invoice_number=note.invoice_number or numbers.get(note.stripe_invoice_id, ""),
                no_money_moved=note.stripe_credit_note_id in notes_of_corrections and note.out_of_band,
            )
            for note in documents.get(order_id, [])
        ]
        corrections = by_order.get(order_id, [])
        if corrections:
            first, last = corrections[0], corrections[-1]
            notes.insert(
                0,
                Replacement(
                    number=last.new_invoice_number or last.new_invoice_id,
                    pdf_url=last.new_invoice_pdf_url,
                    original_number=first.original_invoice_number or first.original_invoice_id,
                ),
            )
        if notes:
            found[order_id] = notes
    return found
