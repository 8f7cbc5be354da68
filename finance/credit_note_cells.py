"""The money-movement export's credit-note columns: the issued credit note (credit_notes) that answers a
refund or a lost dispute's withdrawal, found by the Stripe id of the money it answers."""

from catalog.money import decimal_text
from credit_notes.models import CreditNote
from finance.csv_text import format_timestamp, neutralise

CHUNK_SIZE = 2000
CREDIT_NOTE_COLUMNS = [
    "credit_note_number",
    "credit_note_invoice",
    "credit_note_amount",
    "credit_note_tax",
    "credit_note_reason",
    "credit_note_date",
]
# The movement types a credit note answers, and the Stripe id (position in the row's ids) it answers them by.
CREDITED = {"refund": ("refund", 2), "dispute_withdrawal": ("dispute", 3)}


def credit_notes() -> dict[str, tuple]:
    """Issued credit notes by the money they answer (CreditNote.source_key), and by the refunds they link
    that no note answers by its key (the VAT an invoice correction's note refunded, say)."""
    issued = CreditNote.objects.filter(status=CreditNote.Status.ISSUED)
    found: dict[str, tuple] = {}
    linked: dict[str, tuple] = {}
    for key, refund_ids, *rest in issued.values_list(
        "source_key",
        "linked_refund_ids",
        "number",
        "stripe_invoice_id",
        "amount_cents",
        "tax_cents",
        "currency",
        "reason",
        "created",
    ).iterator(chunk_size=CHUNK_SIZE):
        if key:
            found[key] = tuple(rest)
        for refund_id in refund_ids or ():
            linked.setdefault(f"refund:{refund_id}", tuple(rest))
    return {**linked, **found}


def credit_note_cells(notes: dict[str, tuple], kind: str, ids: tuple[str, ...]) -> list[str]:
    prefix, position = CREDITED.get(kind, ("", 0))
    found = notes.get(f"{prefix}:{ids[position]}") if prefix and ids[position] else None
    if found is None:
        return [""] * len(CREDIT_NOTE_COLUMNS)
    number, invoice, amount, tax, currency, reason, created = found
    return [
        neutralise(number),
        neutralise(invoice),
        decimal_text(amount, currency),
        decimal_text(tax, currency),
        neutralise(reason),
        format_timestamp(created),
    ]
