"""What an order gave back that a credit note must answer, and on which invoice: each succeeded refund, and
each dispute the shop lost (the bank took the money back). Read from the money records payments keeps."""

from dataclasses import dataclass, replace

from checkout.models import Order
from common import hooks
from payments.models import Payment, Refund


@dataclass(frozen=True)
class Source:
    key: str  # "refund:re_…" or "dispute:dp_…" (CreditNote.source_key)
    stripe_id: str
    amount_cents: int
    currency: str
    invoice_id: str
    refund: Refund | None  # a refund is linked on the note; a lost dispute goes out of band
    reason: str
    memo: str
    # The invoice the money paid was replaced by a correction (settings.INVOICE_REPLACEMENTS): the note goes
    # on the replacement, which no Stripe payment paid, so the refund is recorded as returned out of band.
    replaced: bool = False


def refund_key(refund_id: str) -> str:
    return f"refund:{refund_id}"


def dispute_key(dispute_id: str) -> str:
    return f"dispute:{dispute_id}"


def invoice_for(order: Order, charge_id: str) -> str:
    """The invoice the money on `charge_id` paid: a payment request's invoice paid by that charge, else the
    invoice Stripe made after the order's Checkout Session, else the order's one paid invoice ("" if none)."""
    paid = list(order.payments.filter(status=Payment.Status.SUCCEEDED).exclude(stripe_invoice_id=None))
    for payment in paid:
        if charge_id and payment.stripe_charge_id == charge_id:
            return payment.stripe_invoice_id
    if order.invoice_id.startswith("in_"):
        return order.invoice_id
    return paid[0].stripe_invoice_id if len(paid) == 1 else ""


def standing_invoice(order: Order, invoice_id: str) -> str:
    """The invoice that now stands for `invoice_id`: itself, or the one corrections replaced it with
    (followed to the last)."""
    replacing = hooks.one("INVOICE_REPLACEMENTS")
    if replacing is None or not invoice_id:
        return invoice_id
    replacements = replacing(order)
    seen = set()
    while invoice_id in replacements and invoice_id not in seen:
        seen.add(invoice_id)
        invoice_id = replacements[invoice_id]
    return invoice_id


def _refund_reason(refund: Refund) -> str:
    # Stripe's refund reasons and the credit note reasons that say the same.
    return {"duplicate": "duplicate", "fraudulent": "fraudulent"}.get(refund.reason, "order_change")


def sources(order: Order) -> list[Source]:
    """Every refund and lost dispute of the order that needs a credit note, on an invoice of the order."""
    found = []
    for refund in order.refunds.filter(status="succeeded"):
        found.append(
            Source(
                key=refund_key(refund.stripe_refund_id),
                stripe_id=refund.stripe_refund_id,
                amount_cents=refund.amount_cents,
                currency=refund.currency,
                invoice_id=invoice_for(order, refund.stripe_charge_id),
                refund=refund,
                reason=_refund_reason(refund),
                memo=f"Refund {refund.stripe_refund_id} of order {order.reference}.",
            )
        )
    for dispute in order.disputes.filter(status="lost"):
        found.append(
            Source(
                key=dispute_key(dispute.stripe_dispute_id),
                stripe_id=dispute.stripe_dispute_id,
                amount_cents=dispute.amount_cents,
                currency=dispute.currency,
                invoice_id=invoice_for(order, dispute.stripe_charge_id),
                refund=None,
                reason="fraudulent" if dispute.reason == "fraudulent" else "order_change",
                memo=f"Payment of order {order.reference} taken back by the buyer's bank "
                f"(dispute {dispute.stripe_dispute_id}).",
            )
        )
    standing = [
        replace(source, invoice_id=now, replaced=True)
        if (now := standing_invoice(order, source.invoice_id)) != source.invoice_id
        else source
        for source in found
    ]
    return [source for source in standing if source.invoice_id]
