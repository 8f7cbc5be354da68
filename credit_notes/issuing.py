"""Issuing the credit notes an order's refunds and lost disputes call for (the background task's body).

For each refund or lost dispute without a credit note, on the invoice its money paid: first every credit
note Stripe already has on that invoice is recorded (a retry, a note made in Stripe's dashboard, a task that
died after Stripe answered), then a note is asked for with one idempotency key per refund, so duplicate and
reordered events, retries and two workers at once make exactly one. A refund links the Stripe refund
(`refunds`); a lost dispute records the money as returned outside Stripe (`out_of_band_amount`). A refund
of the whole invoice credits its lines one by one (each product and its seats); a part refund credits its
amount. A refund in another currency than the invoice, or larger than what is left on it, is flagged for
staff and nothing is asked of Stripe; so is a note Stripe refuses (a void invoice), and nothing is recorded."""

import logging
from collections import defaultdict
from typing import Any

from django.db import transaction

from catalog.money import format_money
from checkout import stripe_gateway
from checkout.models import Order
from checkout.stripe_credit_notes import CreditNoteValue
from checkout.stripe_values import object_id
from credit_notes.converge import converge_invoice_notes, record_credit_note
from credit_notes.models import CreditNote
from credit_notes.sources import Source, refund_key, sources
from payments.review import flag

logger = logging.getLogger("checkout")


def answered_keys(order: Order) -> set[str]:
    """The money the order's credit notes answer: each note's source, and each refund an issued note links
    (one a note made itself with `refund_amount`, such as a VAT correction's)."""
    notes = CreditNote.objects.filter(order=order)
    answered = set(notes.values_list("source_key", flat=True))
    for linked in notes.filter(status=CreditNote.Status.ISSUED).values_list("linked_refund_ids", flat=True):
        answered |= {refund_key(refund_id) for refund_id in linked or []}
    return answered


def idempotency_key(order: Order, source: Source) -> str:
    return f"credit-note-{order.reference}-{order.token}-{source.key}"


def _left(invoice: dict[str, Any], notes: list[CreditNoteValue]) -> int:
    """What the invoice still carries: its total less the credit notes issued on it."""
    total = invoice.get("total") if isinstance(invoice.get("total"), int) else invoice.get("amount_paid") or 0
    return total - sum(n.total.amount or 0 for n in notes if n.status == "issued")


def _lines(invoice: dict[str, Any], amount: int) -> list[dict[str, Any]] | None:
    """The invoice's lines in full, when the amount is exactly all of them (a refund of everything)."""
    lines = [line for line in (invoice.get("lines") or {}).get("data") or [] if line.get("id")]
    if not lines or sum(line.get("amount") or 0 for line in lines) != amount:
        return None
    return [
        {"type": "invoice_line_item", "invoice_line_item": line["id"], "quantity": line.get("quantity") or 1}
        for line in lines
    ]


def params_for(order: Order, invoice: dict[str, Any], source: Source, left: int) -> dict[str, Any]:
    params: dict[str, Any] = {
        "invoice": object_id(invoice.get("id")),
        "reason": source.reason,
        "memo": source.memo,
        "metadata": {"order_reference": order.reference or "", "source": source.key},
    }
    lines = _lines(invoice, source.amount_cents) if source.amount_cents == left else None
    if lines:
        params["lines"] = lines
    else:
        params["amount"] = source.amount_cents
    if source.refund is not None and not source.replaced:
        params["refunds"] = [{"refund": source.stripe_id, "amount_refunded": source.amount_cents}]
    else:
        params["out_of_band_amount"] = source.amount_cents
    return params


def problem(order: Order, invoice: dict[str, Any], source: Source, left: int) -> str:
    """Why no credit note can answer this money ("" when one can)."""
    currency = str(invoice.get("currency") or "").upper()
    if source.currency.upper() != currency:
        return (
            f"{source.key} is in {source.currency.upper()} but invoice {source.invoice_id} is in {currency}: "
            "no credit note issued. Credit it by hand in Stripe."
        )
    if source.amount_cents > left:
        return (
            f"{source.key} of {format_money(source.amount_cents, source.currency)} is more than is left on "
            f"invoice {source.invoice_id} ({format_money(max(left, 0), currency)}): no credit note issued."
        )
    return ""


def _flag(order_id: int, reason: str) -> None:
    with transaction.atomic():
        flag(Order.objects.select_for_update().get(pk=order_id), reason, source="credit notes")


def issue_credit_notes(order_id: int) -> str:
    """Bring the order's credit notes in line with its refunds and lost disputes; say what was done."""
    order = Order.objects.filter(pk=order_id).first()
    if order is None:
        return "no order"
    answered = answered_keys(order)
    by_invoice: dict[str, list[Source]] = defaultdict(list)
    for source in sources(order):
        if source.key not in answered:
            by_invoice[source.invoice_id].append(source)
    if not by_invoice:
        return "nothing to credit"
    outcome = []
    for invoice_id, waiting in by_invoice.items():
        try:
            invoice = stripe_gateway.fetch_invoice(invoice_id)
        except stripe_gateway.InvalidRequest as exc:
            _flag(order.pk, f"Invoice {invoice_id} could not be read from Stripe: {exc.user_message or exc}")
            outcome.append(f"invoice {invoice_id} refused by Stripe")
            continue
        notes = converge_invoice_notes(order, invoice_id, source="credit notes")
        answered = answered_keys(order)
        left = _left(invoice, notes)
        for source in waiting:
            if source.key in answered:
                continue
            why = problem(order, invoice, source, left)
            if why:
                _flag(order.pk, why)
                outcome.append(f"{source.key} flagged")
                continue
            try:
                note = stripe_gateway.create_credit_note(
                    params_for(order, invoice, source, left), idempotency_key=idempotency_key(order, source)
                )
            except stripe_gateway.InvalidRequest as exc:
                # Stripe refuses this note (a void invoice, figures that disagree): asking again cannot help.
                _flag(order.pk, f"Stripe refused the credit note for {source.key}: {exc.user_message or exc}")
                outcome.append(f"{source.key} refused by Stripe")
                continue
            record_credit_note(order.pk, note, source="credit notes")
            left -= note.total.amount or 0
            outcome.append(f"{source.key} credited")
    logger.info("order %s: %s", order.reference, ", ".join(outcome))
    return ", ".join(outcome)
