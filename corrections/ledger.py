"""The invoices corrections add to the ledger check (credit_notes.ledger names this through
settings.LEDGER_INVOICES): each original a correction credited in full, and its paid replacement, by Stripe
id with Stripe's total. A voided original is no invoice and an unpaid replacement counts through its
payment request, so a reissue adds nothing here."""

from checkout.models import Order
from corrections.models import InvoiceCorrection


def invoices(order: Order) -> dict[str, tuple[str, int]]:
    found: dict[str, tuple[str, int]] = {}
    issued = order.invoice_corrections.filter(state=InvoiceCorrection.State.ISSUED).exclude(
        kind=InvoiceCorrection.Kind.REISSUE
    )
    for correction in issued:
        currency = correction.currency.upper()
        found[correction.original_invoice_id] = (currency, correction.original_total_cents or 0)
        found[correction.new_invoice_id] = (currency, correction.new_invoice_total_cents or 0)
    return found


def replacements(order: Order) -> dict[str, str]:
    """Each original invoice a correction credited in full, and the invoice that replaced it (credit notes
    puts a later refund's note on the replacement: settings.INVOICE_REPLACEMENTS)."""
    issued = order.invoice_corrections.filter(state=InvoiceCorrection.State.ISSUED).exclude(
        kind=InvoiceCorrection.Kind.REISSUE
    )
    return {c.original_invoice_id: c.new_invoice_id for c in issued.order_by("pk") if c.new_invoice_id}
