"""Making a payment request's invoice at Stripe, and voiding it: customer, invoice items, invoice on terms,
finalize; void at Stripe, then our records. Stripe calls happen in tasks (and staff actions) only; every
create carries an idempotency key per order and request, so a retried task never makes a second customer,
item or invoice. What Stripe then says about the invoice converges in invoicing.converge.
"""

import logging
from typing import Any

from django.conf import settings
from django.db import transaction

from catalog.money import DEFAULT_CURRENCY
from checkout import stripe_gateway
from checkout.models import Order
from checkout.session_params import line_tax_code, tax_behavior
from checkout.stripe_limits import invoice_custom_field
from common.tasks import PAYMENTS_QUEUE, retrying_task
from invoicing import states as request_states
from invoicing.converge import converge_request_invoice
from invoicing.models import PaymentRequest
from invoicing.withdrawal import expire_checkout_session
from payments.review import flag
from payments.tax_amounts import record_invoice_tax
from tax.formats import EU_COUNTRIES

logger = logging.getLogger("checkout")

State = PaymentRequest.State

# Stripe's tax ID type for a business in this country (tax_id_data); elsewhere the ID goes on the
# invoice as a custom field instead.
TAX_ID_TYPES = {
    "AU": "au_abn",
    "CA": "ca_bn",
    "CH": "ch_vat",
    "GB": "gb_vat",
    "IN": "in_gst",
    "NO": "no_vat",
    "NZ": "nz_gst",
    "US": "us_ein",
    **dict.fromkeys(EU_COUNTRIES, "eu_vat"),
}


# Stripe's bank transfer for each currency it offers one in (each type takes only its own currency): an
# invoice in pounds is paid into a UK account, one in euros into an EU (IBAN) one.
BANK_TRANSFER_FOR_CURRENCY = {
    "USD": "us_bank_transfer",
    "GBP": "gb_bank_transfer",
    "EUR": "eu_bank_transfer",
    "JPY": "jp_bank_transfer",
    "MXN": "mx_bank_transfer",
}


def bank_transfer_type(currency: str) -> str:
    """The bank transfer an invoice in `currency` offers: settings.INVOICE_BANK_TRANSFER_TYPE for the
    catalogue's own currency (as before prices in other currencies), the currency's own type for pounds and
    euros, "" when Stripe has none in it (the invoice is then paid by card)."""
    currency = currency.upper()
    if currency == DEFAULT_CURRENCY:
        return settings.INVOICE_BANK_TRANSFER_TYPE
    return BANK_TRANSFER_FOR_CURRENCY.get(currency, "")


def payment_settings(currency: str = "USD") -> dict[str, Any]:
    kind = bank_transfer_type(currency)
    if not kind:
        return {"payment_method_types": ["card"]}
    bank_transfer: dict[str, Any] = {"type": kind}
    if kind == "eu_bank_transfer":
        bank_transfer["eu_bank_transfer"] = {"country": settings.INVOICE_EU_BANK_COUNTRY}
    return {
        "payment_method_types": ["card", "customer_balance"],
        "payment_method_options": {
            "customer_balance": {"funding_type": "bank_transfer", "bank_transfer": bank_transfer}
        },
    }


def customer_address(request: PaymentRequest) -> dict[str, str]:
    """The bill-to address as the payer confirmed it (Stripe's customer address; empty lines left out)."""
    address = {
        "line1": request.address_line1,
        "line2": request.address_line2,
        "city": request.city,
        "postal_code": request.postal_code,
        "state": request.region,
    }
    return {**{key: value for key, value in address.items() if value}, "country": request.billing_country}


def customer_params(request: PaymentRequest, *, with_tax_id: bool = True) -> dict[str, Any]:
    params: dict[str, Any] = {
        "name": request.company_name,
        "email": request.ap_email or request.payer_email,
        "address": customer_address(request),
        "metadata": {"order_reference": request.order.reference},
    }
    tax_type = TAX_ID_TYPES.get(request.billing_country)
    if with_tax_id and request.tax_id and tax_type:
        params["tax_id_data"] = [{"type": tax_type, "value": request.tax_id}]
    return params


def invoice_footer() -> str:
    """The academy's footer, naming where accounts payable write about the invoice (RECEIVABLES_EMAIL)."""
    footer = settings.INVOICE_FOOTER.strip()
    if settings.RECEIVABLES_EMAIL.lower() in footer.lower():
        return footer
    contact = f"Questions about this invoice: {settings.RECEIVABLES_EMAIL}."
    return f"{footer[: 5000 - len(contact) - 1]} {contact}".strip()


def invoice_params(request: PaymentRequest, customer_id: str, *, tax_id_on_customer: bool) -> dict[str, Any]:
    order = request.order
    custom_fields = []
    if request.po_number:
        custom_fields.append(invoice_custom_field("PO number", request.po_number))
    if request.tax_id and not tax_id_on_customer:
        custom_fields.append(invoice_custom_field("Tax ID", request.tax_id))
    params: dict[str, Any] = {
        "customer": customer_id,
        "currency": order.currency.lower(),
        "collection_method": "send_invoice",
        "days_until_due": settings.INVOICE_DAYS_UNTIL_DUE,
        "description": f"CPMA order {order.reference}",
        "metadata": {"order_reference": order.reference, "payment_request": str(request.pk)},
        "footer": invoice_footer(),
        "payment_settings": payment_settings(order.currency),
        # Only the items made for this invoice below, never another order's pending item.
        "pending_invoice_items_behavior": "exclude",
        "auto_advance": False,
        # Stripe Tax from the customer's address and tax ID (customer_params): VAT, or the reverse charge.
        "automatic_tax": {"enabled": True},
    }
    if custom_fields:
        params["custom_fields"] = custom_fields
    return params


def item_params(request: PaymentRequest, invoice_id: str, line) -> dict[str, Any]:
    order = request.order
    params: dict[str, Any] = {
        "customer": request.stripe_customer_id,
        "invoice": invoice_id,
        "currency": order.currency.lower(),
        "description": line.product_name,
        "metadata": {"order_reference": order.reference, "line": str(line.pk)},
        "tax_behavior": tax_behavior(order),
        "tax_code": line_tax_code(line),
    }
    if line.unit_price_cents * line.quantity == line.amount_cents:
        params["quantity"] = line.quantity
        params["unit_amount_decimal"] = str(line.unit_price_cents)
    else:  # an adjusted line that does not split evenly per seat: one amount, seats in the words
        params["amount"] = line.amount_cents
        params["description"] = f"{line.product_name}, {line.quantity} seats"
    return params


def _store(request: PaymentRequest, **fields: Any) -> None:
    PaymentRequest.objects.filter(pk=request.pk).update(**fields)
    for name, value in fields.items():
        setattr(request, name, value)


def _customer(request: PaymentRequest) -> tuple[str, bool]:
    """The Stripe customer for the request, and whether the tax ID is on it (Stripe refuses an ID it cannot
    read as the country's type: then the customer is made without it and the invoice shows the ID)."""
    if request.stripe_customer_id:
        return request.stripe_customer_id, "tax_id_data" in customer_params(request)
    params = customer_params(request)
    try:
        customer_id = stripe_gateway.create_customer(params, idempotency_key=request.stripe_key("customer"))
        return customer_id, "tax_id_data" in params
    except stripe_gateway.InvalidRequest as exc:
        if "tax_id_data" not in params:
            raise
        logger.info(
            "request %s: Stripe refused the tax ID (%s); sent on the invoice instead", request.pk, exc
        )
    customer_id = stripe_gateway.create_customer(
        customer_params(request, with_tax_id=False), idempotency_key=request.stripe_key("customer-plain")
    )
    return customer_id, False


def issue_invoice(request_id: int) -> str:
    """Make the request's invoice at Stripe (customer, items, invoice, finalize) and record it."""
    request = PaymentRequest.objects.select_related("order").get(pk=request_id)
    if request.state != State.PREPARING:
        return "nothing to do"
    order = request.order
    if order.stripe_session_id:
        # So nobody pays twice: a session paid meanwhile closes the request through payments.status.
        expire_checkout_session(order, source="payment-request")
        request.refresh_from_db()
        if request.state != State.PREPARING:
            return "closed"
    try:
        customer_id, tax_id_on_customer = _customer(request)
        _store(request, stripe_customer_id=customer_id)
        invoice_id = request.stripe_invoice_id
        if not invoice_id:
            invoice_id = stripe_gateway.create_invoice(
                invoice_params(request, customer_id, tax_id_on_customer=tax_id_on_customer),
                idempotency_key=request.stripe_key("invoice"),
            )
            _store(request, stripe_invoice_id=invoice_id)
        invoice = stripe_gateway.fetch_invoice(invoice_id)
        if invoice.get("status") == "draft":
            for line in order.lines.all():
                stripe_gateway.add_invoice_item(
                    item_params(request, invoice_id, line),
                    idempotency_key=request.stripe_key(f"item-{line.pk}"),
                )
            invoice = stripe_gateway.fetch_invoice(invoice_id)
            # Before tax (Stripe Tax adds it on top of prices before tax, or finds it inside the others).
            if invoice.get("subtotal") != order.subtotal_cents:
                return _refused(
                    request,
                    f"Stripe's draft invoice {invoice_id} comes to {invoice.get('subtotal')} before tax, the "
                    f"order {order.subtotal_cents}: not finalized.",
                )
            invoice = stripe_gateway.finalize_invoice(
                invoice_id, idempotency_key=request.stripe_key("finalize")
            )
    except stripe_gateway.InvalidRequest as exc:
        return _refused(request, f"Stripe refused the invoice: {exc.user_message or exc}")
    record_invoice_tax(order.pk, invoice, source="task")
    converge_request_invoice(invoice, source="task")
    return "issued"


@transaction.atomic
def _refused(request: PaymentRequest, reason: str) -> str:
    """Stripe will not take the invoice as asked: staff are told, and the payer may choose again."""
    order = Order.objects.select_for_update().get(pk=request.order_id)
    request = PaymentRequest.objects.select_for_update().get(pk=request.pk)
    flag(order, reason[:500], source="task")
    if request_states.move(request, State.VIEWED, source="task", reason=""):
        request.problem = "We could not prepare the invoice. The academy has been told and will be in touch."
        request.save(update_fields=["problem"])
    return "refused"


@retrying_task(queue=PAYMENTS_QUEUE)
def issue_request_invoice(request_id: int) -> str:
    """Make the request's invoice at Stripe and record it (the payer's page shows it on reload)."""
    return issue_invoice(request_id)
