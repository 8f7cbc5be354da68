"""The invoice Stripe makes after payment, stored on its order (number, hosted page, PDF, buyer details)."""

import logging
from collections.abc import Mapping
from typing import Any

from django.db import transaction

from checkout import states, stripe_gateway
from checkout.models import Order
from checkout.stripe_values import Invoice, invoice_value, object_id
from common.text import single_line
from payments.review import flag

logger = logging.getLogger("checkout")

INVOICE_FIELDS = [
    "company_name",
    "tax_ids",
    "billing_country",
    "invoice_id",
    "invoice_number",
    "invoice_url",
    "invoice_pdf_url",
]


def converge_invoice(data: Mapping[str, Any], *, source: str) -> Order | None:
    """Store the invoice Stripe made after payment on its order. The reference in its metadata only finds
    the order: the invoice counts when it is the one the order stored, or, before the order knows its
    invoice, the one our Checkout Session names (fetched from Stripe here, before any lock). Any other
    invoice naming the order is ignored for it and flagged for staff."""
    invoice = invoice_value(data)
    invoice_id, reference = invoice.id, invoice.order_reference
    hinted = Order.objects.filter(reference=reference).first() if reference and invoice_id else None
    if hinted is None and not reference and replaces_an_invoice(data):
        return None  # a correction's invoice: that app records it (its metadata names the corrected order)
    if hinted is None:
        logger.warning("invoice %s (%s) matches no order", invoice_id, source)
        return None
    named_by_session = ""
    if not hinted.invoice_id and hinted.stripe_session_id:
        named_by_session = object_id(stripe_gateway.fetch_session(hinted.stripe_session_id).get("invoice"))
    return _store_invoice(hinted.pk, invoice, named_by_session=named_by_session, source=source)


def replaces_an_invoice(data: Mapping[str, Any]) -> bool:
    """Whether the invoice is one an invoice correction made in place of the order's own: its metadata
    says which order it corrects (`corrected_order`) and which invoice (`corrects_invoice`)."""
    metadata = data.get("metadata")
    return isinstance(metadata, Mapping) and bool(
        metadata.get("corrected_order") and metadata.get("corrects_invoice")
    )


@transaction.atomic
def _store_invoice(order_id: int, invoice: Invoice, *, named_by_session: str, source: str) -> Order | None:
    order = Order.objects.select_for_update().get(pk=order_id)
    invoice_id = invoice.id
    if invoice_id != order.invoice_id and invoice.status == "void":
        return None  # a voided invoice (one a correction replaced) asks nothing of the order
    if invoice_id != order.invoice_id and (order.invoice_id or invoice_id != named_by_session):
        flag(
            order,
            f"Invoice {invoice_id} names this order in its metadata but is not the invoice the shop made for "
            f"it ({order.invoice_id or 'none yet'}): ignored. Check who made it in Stripe.",
            source=source,
        )
        return None
    before = (order.invoice_number, order.invoice_pdf_url)
    capture_invoice_value(order, invoice)
    order.save(update_fields=[*INVOICE_FIELDS, "updated_at"])
    if (order.invoice_number, order.invoice_pdf_url) != before:
        states.note(
            order, "invoice", f"Invoice {order.invoice_number or order.invoice_id} recorded.", source=source
        )
    return order


def tax_ids_text(details: Mapping[str, Any]) -> str:
    ids = details.get("tax_ids") if isinstance(details.get("tax_ids"), list) else []
    shown = [
        f"{single_line(item.get('type'), 20)} {single_line(item.get('value'), 60)}".strip()
        for item in ids
        if isinstance(item, Mapping)
    ]
    return "; ".join(shown)[:500]


def capture_invoice(order: Order, invoice: Any) -> None:
    """The invoice Stripe made for the order (an expanded object; a bare id until Stripe has made it)."""
    if not isinstance(invoice, Mapping):
        if invoice and not order.invoice_id:
            order.invoice_id = object_id(invoice)
        return
    capture_invoice_value(order, invoice_value(invoice))


def capture_invoice_value(order: Order, invoice: Invoice) -> None:
    """The invoice's id, number and links on the order (the caller saves it)."""
    order.invoice_id = invoice.id or order.invoice_id
    order.invoice_number = invoice.number or order.invoice_number
    for field, url in invoice.links:
        setattr(order, field, url)


def refresh_invoice(order_id: int) -> None:
    """Best effort: fetch the order's invoice when we know its id but not its links yet. A Stripe error
    leaves the order as it is (the email then goes without the link; invoice events fill it in later)."""
    order = Order.objects.filter(pk=order_id).only("invoice_id", "invoice_pdf_url").first()
    if order is None or not order.invoice_id.startswith("in_") or order.invoice_pdf_url:
        return
    try:
        invoice = stripe_gateway.fetch_invoice(order.invoice_id)
    except stripe_gateway.StripeError as exc:
        logger.warning("order %s: invoice %s not fetched: %s", order_id, order.invoice_id, type(exc).__name__)
        return
    converge_invoice(invoice, source="task")
