"""What corrections ask Stripe to make: the Stripe customer carrying the corrected header, the new invoice
with the order's lines (its tax from Stripe Tax, as the original's), and the credit note on the original."""

from typing import Any

from django.conf import settings

from checkout.session_params import line_tax_code, tax_behavior
from checkout.stripe_limits import invoice_custom_field
from corrections.models import InvoiceCorrection
from invoicing.issuing import TAX_ID_TYPES, invoice_footer, payment_settings

Kind = InvoiceCorrection.Kind


def customer_params(correction: InvoiceCorrection) -> dict[str, Any]:
    request = correction.payment_request
    address = {
        "line1": correction.address_line1,
        "line2": correction.address_line2,
        "city": correction.city,
        "postal_code": correction.postal_code,
        "state": correction.region,
    }
    params: dict[str, Any] = {
        "name": correction.company_name,
        "email": (request.ap_email or request.payer_email) if request else correction.order.email,
        "address": {**{k: v for k, v in address.items() if v}, "country": correction.country},
        "metadata": {"order_reference": correction.order.reference or "", "correction": str(correction.pk)},
    }
    if correction.tax_id and correction.country in TAX_ID_TYPES:
        params["tax_id_data"] = [{"type": TAX_ID_TYPES[correction.country], "value": correction.tax_id}]
    return params


def invoice_params(correction: InvoiceCorrection, customer_id: str) -> dict[str, Any]:
    order = correction.order
    custom_fields = []
    if correction.po_number:
        custom_fields.append(invoice_custom_field("PO number", correction.po_number))
    if correction.tax_id and correction.country not in TAX_ID_TYPES:
        custom_fields.append(invoice_custom_field("Tax ID", correction.tax_id))
    corrects = correction.original_invoice_number or correction.original_invoice_id
    params: dict[str, Any] = {
        "customer": customer_id,
        "currency": order.currency.lower(),
        "collection_method": "send_invoice",
        "days_until_due": settings.INVOICE_DAYS_UNTIL_DUE,
        "description": f"CPMA order {order.reference}: corrects invoice {corrects}",
        # Not `order_reference`: the invoice's events must not be taken for the order's own invoice
        # (payments.invoices) before the correction records it.
        "metadata": {
            "corrected_order": order.reference or "",
            "correction": str(correction.pk),
            "corrects_invoice": correction.original_invoice_id,
        },
        "footer": invoice_footer(),
        "pending_invoice_items_behavior": "exclude",
        "auto_advance": False,
        "automatic_tax": {"enabled": True},
    }
    if correction.kind == Kind.REISSUE:  # the payer still pays it, by card or bank transfer
        params["payment_settings"] = payment_settings(order.currency)
    if custom_fields:
        params["custom_fields"] = custom_fields
    return params


def item_params(correction: InvoiceCorrection, customer_id: str, invoice_id: str, line) -> dict[str, Any]:
    order = correction.order
    params: dict[str, Any] = {
        "customer": customer_id,
        "invoice": invoice_id,
        "currency": order.currency.lower(),
        "description": line.product_name,
        "metadata": {"order_reference": order.reference or "", "line": str(line.pk)},
        "tax_behavior": tax_behavior(order),
        "tax_code": line_tax_code(line),
    }
    if line.unit_price_cents * line.quantity == line.amount_cents:
        params["quantity"] = line.quantity
        params["unit_amount_decimal"] = str(line.unit_price_cents)
    else:
        params["amount"] = line.amount_cents
        params["description"] = f"{line.product_name}, {line.quantity} seats"
    return params


def credit_note_params(correction: InvoiceCorrection, total: int) -> dict[str, Any]:
    """The whole original credited: no money moves (`out_of_band_amount`), except the VAT a VAT number
    added after purchase gives back (`refund_amount`, which Stripe refunds on the invoice's payment)."""
    new = correction.new_invoice_number or correction.new_invoice_id
    params: dict[str, Any] = {
        "invoice": correction.original_invoice_id,
        "amount": total,
        "reason": "order_change",
        "memo": f"Replaced by invoice {new}, which corrects the buyer's details.",
        "metadata": {"order_reference": correction.order.reference or "", "source": correction.source_key},
        "out_of_band_amount": total - correction.vat_cents,
    }
    if correction.kind == Kind.VAT:
        params["refund_amount"] = correction.vat_cents
        params["memo"] = (
            f"VAT refunded: reverse charge with the buyer's VAT number. Replaced by invoice {new}."
        )
    return params
