"""Making a correction at Stripe (the background task's body), step by step, each step idempotent (its own
key, and skipped once recorded), so a retry or a second worker ends the same:

1. the original invoice as Stripe has it now: still open (a reissue) or paid, in the order's currency, with
   nothing credited on it yet; otherwise the correction is refused and nothing is made;
2. a customer with the corrected header and a new invoice with the order's lines; its total must be the
   original's (less the VAT, when a VAT number was added), or it is refused before it is finalized;
3. a reissue moves the payment request onto the new invoice, then voids the original; a paid invoice gets a
   paid-in-full (out of band) replacement and a credit note for the whole original.
"""

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from catalog.money import format_money
from checkout import states, stripe_gateway
from checkout.models import Order
from checkout.stripe_credit_notes import CreditNoteValue
from checkout.stripe_values import invoice_links, tax_total
from common.text import single_line
from corrections import invoices
from corrections.emails import send_corrected_invoice
from corrections.models import HEADER_FIELDS, InvoiceCorrection
from credit_notes.converge import converge_invoice_notes, record_credit_note
from invoicing.invoice_state import apply_request_invoice
from invoicing.models import PaymentRequest
from payments.refunds import converge_refund
from payments.review import flag

logger = logging.getLogger("checkout")
Kind = InvoiceCorrection.Kind
State = InvoiceCorrection.State
SOURCE = "correction"


def _total(invoice: dict[str, Any]) -> int:
    return invoice["total"] if isinstance(invoice.get("total"), int) else invoice.get("amount_paid") or 0


def _store(correction: InvoiceCorrection, **fields: Any) -> None:
    InvoiceCorrection.objects.filter(pk=correction.pk).update(**fields)
    for name, value in fields.items():
        setattr(correction, name, value)


@transaction.atomic
def refuse(correction_id: int, problem: str) -> str:
    """Nothing is issued: the correction says why, and staff are told."""
    correction = InvoiceCorrection.objects.select_for_update().get(pk=correction_id)
    order = Order.objects.select_for_update().get(pk=correction.order_id)
    if correction.state not in InvoiceCorrection.IN_PROGRESS:
        return "already ended"
    correction.state, correction.problem = State.REFUSED, problem[:500]
    correction.save(update_fields=["state", "problem", "updated_at"])
    states.note(order, "invoice correction", f"Correction {correction.pk} not made: {problem}", source=SOURCE)
    return "refused"


def original_problem(correction: InvoiceCorrection, original: dict[str, Any], credited: int) -> str:
    """Why the original cannot be corrected as planned ("" when it can)."""
    name = correction.original_invoice_number or correction.original_invoice_id
    status = original.get("status")
    if status == "void":
        return f"Invoice {name} was voided, so there is nothing to correct."
    wanted = "open" if correction.kind == Kind.REISSUE else "paid"
    if status != wanted:
        return f"Invoice {name} is {status} at Stripe, not {wanted} as when the correction was asked for."
    if str(original.get("currency") or "").upper() != correction.currency.upper():
        return f"Invoice {name} is in {str(original.get('currency')).upper()}, the order in {correction.currency}."
    if correction.kind != Kind.REISSUE and credited:
        return (
            f"Invoice {name} already has {format_money(credited, correction.currency)} credited: a credit note "
            "for its whole amount would be larger than what is left on it."
        )
    return ""


def _new_invoice(correction: InvoiceCorrection, expected: int) -> dict[str, Any] | str:
    """The new invoice, finalized; or why it was not (its total is not the one expected)."""
    if not correction.stripe_customer_id:
        customer_id = stripe_gateway.create_customer(
            invoices.customer_params(correction), idempotency_key=correction.stripe_key("customer")
        )
        _store(correction, stripe_customer_id=customer_id)
    customer_id = correction.stripe_customer_id
    if not correction.new_invoice_id:
        invoice_id = stripe_gateway.create_invoice(
            invoices.invoice_params(correction, customer_id), idempotency_key=correction.stripe_key("invoice")
        )
        _store(correction, new_invoice_id=invoice_id)
    invoice = stripe_gateway.fetch_invoice(correction.new_invoice_id)
    if invoice.get("status") == "draft":
        for line in correction.order.lines.all():
            stripe_gateway.add_invoice_item(
                invoices.item_params(correction, customer_id, correction.new_invoice_id, line),
                idempotency_key=correction.stripe_key(f"item-{line.pk}"),
            )
        invoice = stripe_gateway.fetch_invoice(correction.new_invoice_id)
        if _total(invoice) != expected:
            return (
                f"The corrected invoice would come to {format_money(_total(invoice), correction.currency)}, not "
                f"{format_money(expected, correction.currency)}: a correction never changes the amount."
            )
        invoice = stripe_gateway.finalize_invoice(
            correction.new_invoice_id, idempotency_key=correction.stripe_key("finalize"), auto_advance=False
        )
    return invoice


def _record_new(correction: InvoiceCorrection, invoice: dict[str, Any]) -> None:
    links = invoice_links(invoice)
    _store(
        correction,
        new_invoice_number=single_line(invoice.get("number"), 100),
        new_invoice_url=links.get("invoice_url", ""),
        new_invoice_pdf_url=links.get("invoice_pdf_url", ""),
        new_invoice_total_cents=_total(invoice),
    )


@transaction.atomic
def _move_request(correction: InvoiceCorrection, invoice: dict[str, Any]) -> bool:
    """The payment request takes the new invoice in place of the original (one open invoice at a time);
    False when the request has moved on (the original was paid, or the request ended)."""
    Order.objects.select_for_update().get(pk=correction.order_id)
    request = PaymentRequest.objects.select_for_update().get(pk=correction.payment_request_id)
    if request.stripe_invoice_id == correction.new_invoice_id:
        return True
    if (
        request.stripe_invoice_id != correction.original_invoice_id
        or request.state != PaymentRequest.State.ISSUED
    ):
        return False
    for field in HEADER_FIELDS:
        setattr(request, field, getattr(correction, field))
    request.stripe_invoice_id = correction.new_invoice_id
    request.stripe_customer_id = correction.stripe_customer_id
    request.save(update_fields=[*HEADER_FIELDS, "stripe_invoice_id", "stripe_customer_id", "updated_at"])
    apply_request_invoice(invoice, source=SOURCE)
    return True


def _void_original(correction: InvoiceCorrection) -> None:
    # Where Stripe refuses the void, the invoice as it is now.
    original = stripe_gateway.void_invoice(
        correction.original_invoice_id, idempotency_key=correction.stripe_key("void")
    )
    if original.get("status") != "void":  # paid in the moment between: both exist now, staff decide
        with transaction.atomic():
            order = Order.objects.select_for_update().get(pk=correction.order_id)
            flag(
                order,
                f"Invoice {correction.original_invoice_number} was {original.get('status')} when its "
                f"correction {correction.new_invoice_number} replaced it: check both in Stripe.",
                source=SOURCE,
            )


def _credit_original(correction: InvoiceCorrection) -> CreditNoteValue:
    notes = converge_invoice_notes(correction.order, correction.original_invoice_id, source=SOURCE)
    ours = [n for n in notes if n.source == correction.source_key]
    if ours:
        return ours[0]
    note = stripe_gateway.create_credit_note(
        invoices.credit_note_params(correction, correction.original_total_cents or 0),
        idempotency_key=correction.stripe_key("credit-note"),
    )
    record_credit_note(correction.order_id, note, source=SOURCE)
    return note


def _record_vat_refunds(correction: InvoiceCorrection, note: CreditNoteValue) -> None:
    """The refunds the note made (its VAT, given back) recorded now as VAT only, whose tax part is their
    whole amount (payments.refund_tax), whether or not Stripe's refund events arrived first."""
    for refund_id in note.linked_refund_ids:
        converge_refund(
            stripe_gateway.fetch_refund(refund_id),
            source=SOURCE,
            reference=correction.order.reference or "",
            tax_only=True,
        )


@transaction.atomic
def _issued(correction_id: int, note_id: str = "") -> None:
    correction = InvoiceCorrection.objects.select_for_update().get(pk=correction_id)
    order = Order.objects.select_for_update().get(pk=correction.order_id)
    correction.state, correction.credit_note_id, correction.issued_at = State.ISSUED, note_id, timezone.now()
    correction.save(update_fields=["state", "credit_note_id", "issued_at", "updated_at"])
    what = {
        Kind.REISSUE: f"invoice {correction.original_invoice_number} voided",
        Kind.REPLACE: f"invoice {correction.original_invoice_number} credited in full (credit note {note_id}, "
        "no money moved)",
        Kind.VAT: f"invoice {correction.original_invoice_number} credited in full (credit note {note_id}), "
        f"VAT of {format_money(correction.vat_cents, correction.currency)} refunded",
    }[correction.kind]
    states.note(
        order,
        "invoice correction",
        f"Correction {correction.pk} issued: new invoice {correction.new_invoice_number}; {what}.",
        source=SOURCE,
    )
    send_corrected_invoice.enqueue(correction.pk)


def issue_correction(correction_id: int) -> str:
    correction = InvoiceCorrection.objects.select_related("order", "payment_request").get(pk=correction_id)
    if correction.state != State.ISSUING:
        return "nothing to do"
    original = stripe_gateway.fetch_invoice(correction.original_invoice_id)
    notes = (
        []
        if correction.kind == Kind.REISSUE
        else converge_invoice_notes(correction.order, correction.original_invoice_id, source=SOURCE)
    )
    credited = sum(
        n.total.amount or 0 for n in notes if n.status == "issued" and n.source != correction.source_key
    )
    if not correction.new_invoice_id:  # nothing made yet: the original must still be as planned
        problem = original_problem(correction, original, credited)
        if problem:
            return refuse(correction.pk, problem)
        vat = tax_total(original) if correction.vat_cents else 0
        _store(correction, original_total_cents=_total(original), vat_cents=vat)
    expected = (correction.original_total_cents or 0) - correction.vat_cents
    try:
        invoice = _new_invoice(correction, expected)
    except stripe_gateway.InvalidRequest as exc:
        return refuse(correction.pk, f"Stripe refused the corrected invoice: {exc.user_message or exc}")
    if isinstance(invoice, str):
        return refuse(correction.pk, invoice)
    _record_new(correction, invoice)
    if correction.kind == Kind.REISSUE:
        if not _move_request(correction, invoice):
            # Nobody is to pay the new one: the request moved on (already void: Stripe refuses, and says so).
            stripe_gateway.void_invoice(
                correction.new_invoice_id, idempotency_key=correction.stripe_key("void-new")
            )
            return refuse(correction.pk, "The invoice was paid or withdrawn while it was being corrected.")
        if original.get("status") == "open":
            _void_original(correction)
        _issued(correction.pk)
        return "reissued"
    if invoice.get("status") == "open":
        invoice = stripe_gateway.pay_out_of_band(
            correction.new_invoice_id, idempotency_key=correction.stripe_key("pay")
        )
    note = _credit_original(correction)
    if correction.kind == Kind.VAT:
        _record_vat_refunds(correction, note)
    _issued(correction.pk, note.id)
    return "replaced"
