"""A payment request's invoice on terms: made at Stripe by a background task, brought in line with the
invoice as Stripe shows it (invoice events, reconcile), voided by staff or when the order was paid another
way. Money received on the invoice is a Payment keyed by the invoice's id, and the order settles through
checkout.status like a card payment (confirmation, access, history).

Stripe calls happen in tasks only; every create carries an idempotency key per order and request, so a
retried task never makes a second customer, item or invoice.
"""

import contextlib
import datetime as dt
import logging
from collections.abc import Iterator, Mapping
from typing import Any

import stripe
from django.conf import settings
from django.db import transaction

from catalog.money import format_money
from checkout import request_states, states
from checkout.invoices import capture_invoice
from checkout.models import Order, Payment, PaymentRequest
from checkout.payments import converge_session
from checkout.review import flag
from checkout.status import derive_status, order_changed, settle
from checkout.stripe_client import stripe_client
from checkout.stripe_values import object_id, stripe_time
from common.text import single_line

logger = logging.getLogger("checkout")

SESSION_EXPAND = ["payment_intent", "payment_intent.latest_charge", "invoice"]  # as checkout.stripe_sync

State = PaymentRequest.State

EU_COUNTRIES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
    ]
)
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


class VoidRefused(Exception):
    """The invoice is paid (or was never made): there is nothing to void."""


def _key(request: PaymentRequest, step: str) -> str:
    order = request.order
    return f"payreq-{order.reference}-{order.token}-{request.pk}-{step}"


def _payment_settings() -> dict[str, Any]:
    bank_transfer: dict[str, Any] = {"type": settings.INVOICE_BANK_TRANSFER_TYPE}
    if settings.INVOICE_BANK_TRANSFER_TYPE == "eu_bank_transfer":
        bank_transfer["eu_bank_transfer"] = {"country": settings.INVOICE_EU_BANK_COUNTRY}
    return {
        "payment_method_types": ["card", "customer_balance"],
        "payment_method_options": {
            "customer_balance": {"funding_type": "bank_transfer", "bank_transfer": bank_transfer}
        },
    }


def customer_params(request: PaymentRequest, *, with_tax_id: bool = True) -> dict[str, Any]:
    params: dict[str, Any] = {
        "name": request.company_name,
        "email": request.ap_email or request.payer_email,
        "address": {"country": request.billing_country},
        "metadata": {"order_reference": request.order.reference},
    }
    tax_type = TAX_ID_TYPES.get(request.billing_country)
    if with_tax_id and request.tax_id and tax_type:
        params["tax_id_data"] = [{"type": tax_type, "value": request.tax_id}]
    return params


def invoice_params(request: PaymentRequest, customer_id: str, *, tax_id_on_customer: bool) -> dict[str, Any]:
    order = request.order
    custom_fields = []
    if request.po_number:
        custom_fields.append({"name": "PO number", "value": request.po_number[:140]})
    if request.tax_id and not tax_id_on_customer:
        custom_fields.append({"name": "Tax ID", "value": request.tax_id[:140]})
    params: dict[str, Any] = {
        "customer": customer_id,
        "currency": order.currency.lower(),
        "collection_method": "send_invoice",
        "days_until_due": settings.INVOICE_DAYS_UNTIL_DUE,
        "description": f"CPMA order {order.reference}",
        "metadata": {"order_reference": order.reference, "payment_request": str(request.pk)},
        "footer": settings.INVOICE_FOOTER,
        "payment_settings": _payment_settings(),
        # Only the items made for this invoice below, never another order's pending item.
        "pending_invoice_items_behavior": "exclude",
        "auto_advance": False,
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


def _close_checkout_session(order: Order) -> None:
    """Expire the order's open Checkout Session before invoicing (so nobody pays twice), and converge the
    order on it: a session paid meanwhile closes the request through checkout.status."""
    sessions = stripe_client().v1.checkout.sessions
    session = sessions.retrieve(order.stripe_session_id, params={"expand": SESSION_EXPAND}).to_dict()
    if session.get("status") == "open":
        # Refused when it completed a moment ago: the fetch below says how.
        with contextlib.suppress(stripe.InvalidRequestError):
            sessions.expire(order.stripe_session_id)
        session = sessions.retrieve(order.stripe_session_id, params={"expand": SESSION_EXPAND}).to_dict()
    converge_session(session, source="payment-request")


def _customer(request: PaymentRequest) -> tuple[str, bool]:
    """The Stripe customer for the request, and whether the tax ID is on it (Stripe refuses an ID it cannot
    read as the country's type: then the customer is made without it and the invoice shows the ID)."""
    client = stripe_client().v1
    if request.stripe_customer_id:
        return request.stripe_customer_id, "tax_id_data" in customer_params(request)
    params = customer_params(request)
    try:
        customer = client.customers.create(
            params=params, options={"idempotency_key": _key(request, "customer")}
        )
        return customer.id, "tax_id_data" in params
    except stripe.InvalidRequestError as exc:
        if "tax_id_data" not in params:
            raise
        logger.info(
            "request %s: Stripe refused the tax ID (%s); sent on the invoice instead", request.pk, exc
        )
    customer = client.customers.create(
        params=customer_params(request, with_tax_id=False),
        options={"idempotency_key": _key(request, "customer-plain")},
    )
    return customer.id, False


def issue_invoice(request_id: int) -> str:
    """Make the request's invoice at Stripe (customer, items, invoice, finalize) and record it."""
    request = PaymentRequest.objects.select_related("order").get(pk=request_id)
    if request.state != State.PREPARING:
        return "nothing to do"
    order = request.order
    if order.stripe_session_id:
        _close_checkout_session(order)
        request.refresh_from_db()
        if request.state != State.PREPARING:
            return "closed"
    client = stripe_client().v1
    try:
        customer_id, tax_id_on_customer = _customer(request)
        _store(request, stripe_customer_id=customer_id)
        invoice_id = request.stripe_invoice_id
        if not invoice_id:
            invoice_id = client.invoices.create(
                params=invoice_params(request, customer_id, tax_id_on_customer=tax_id_on_customer),
                options={"idempotency_key": _key(request, "invoice")},
            ).id
            _store(request, stripe_invoice_id=invoice_id)
        invoice = client.invoices.retrieve(invoice_id).to_dict()
        if invoice.get("status") == "draft":
            for line in order.lines.all():
                client.invoice_items.create(
                    params=item_params(request, invoice_id, line),
                    options={"idempotency_key": _key(request, f"item-{line.pk}")},
                )
            invoice = client.invoices.retrieve(invoice_id).to_dict()
            if invoice.get("total") != order.total_cents:
                return _refused(
                    request,
                    f"Stripe's draft invoice {invoice_id} totals {invoice.get('total')}, the order "
                    f"{order.total_cents}: not finalized.",
                )
            invoice = client.invoices.finalize_invoice(
                invoice_id, options={"idempotency_key": _key(request, "finalize")}
            ).to_dict()
    except stripe.InvalidRequestError as exc:
        return _refused(request, f"Stripe refused the invoice: {exc.user_message or exc}")
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


def _record(request: PaymentRequest, invoice: Mapping[str, Any]) -> None:
    request.invoice_status = single_line(invoice.get("status"), 30)
    request.invoice_number = single_line(invoice.get("number"), 100) or request.invoice_number
    for field, key in (("invoice_url", "hosted_invoice_url"), ("invoice_pdf_url", "invoice_pdf")):
        url = single_line(invoice.get(key), 2000)
        if url.startswith("https://"):
            setattr(request, field, url)
    due = stripe_time(invoice.get("due_date"))
    request.due_at = due or request.due_at
    if isinstance(invoice.get("amount_due"), int):
        request.amount_due_cents = invoice["amount_due"]
    request.save(
        update_fields=[
            "invoice_status",
            "invoice_number",
            "invoice_url",
            "invoice_pdf_url",
            "due_at",
            "amount_due_cents",
            "updated_at",
        ]
    )


@transaction.atomic
def converge_request_invoice(invoice: Mapping[str, Any], *, source: str) -> Order | None:
    """Bring a request and its order in line with the request's invoice as fetched from Stripe; None when
    the invoice is not a payment request's. Any order of events, any number of times: one end state."""
    from checkout import tasks

    invoice_id = object_id(invoice.get("id"))
    order_id = (
        PaymentRequest.objects.filter(stripe_invoice_id=invoice_id).values_list("order_id", flat=True).first()
    )
    if not invoice_id or order_id is None:
        return None
    order = Order.objects.select_for_update().get(pk=order_id)
    request = (
        PaymentRequest.objects.select_for_update().select_related("order").get(stripe_invoice_id=invoice_id)
    )
    request.order = order
    _record(request, invoice)
    status = request.invoice_status
    if status in ("open", "paid"):
        capture_invoice(order, invoice)
        order.save(
            update_fields=["invoice_id", "invoice_number", "invoice_url", "invoice_pdf_url", "updated_at"]
        )
    if status == "paid":
        _converge_paid(order, request, invoice, source=source)
    elif status == "open":
        if request_states.move(request, State.ISSUED, source=source):
            tasks.send_request_invoice.enqueue(request.pk)
            if settings.INVOICE_ACCESS_ON_ISSUE:
                request.access_on_issue = True
                request.save(update_fields=["access_on_issue"])
                states.note(order, "access", "Access given on the invoice, before payment.", source=source)
                order_changed(order)
        elif request.state in (State.CANCELLED, State.CLOSED):
            tasks.void_request_invoice.enqueue(request.pk)  # made after the request ended: withdraw it
    elif status in ("void", "uncollectible"):
        words = "voided" if status == "void" else "marked uncollectible"
        moved = request_states.move(
            request, State.CANCELLED, source=source, reason=f"the invoice was {words}"
        )
        if moved and request.access_on_issue:
            order_changed(order)  # the access given on the invoice ends
    return order


def _paid_intent(invoice: Mapping[str, Any]) -> str:
    payments = invoice.get("payments") if isinstance(invoice.get("payments"), Mapping) else {}
    for item in payments.get("data") or []:
        payment = item.get("payment") if isinstance(item, Mapping) else None
        if isinstance(payment, Mapping) and item.get("status") == "paid":
            return object_id(payment.get("payment_intent"))
    return ""


def _converge_paid(order: Order, request: PaymentRequest, invoice: Mapping[str, Any], *, source: str) -> None:
    from checkout import tasks

    invoice_id = object_id(invoice.get("id"))
    amount = invoice.get("amount_paid")
    currency = single_line(invoice.get("currency"), 3).upper()
    if currency != order.currency or amount != order.total_cents:
        shown = format_money(amount, currency or order.currency) if isinstance(amount, int) else "nothing"
        flag(
            order,
            f"Invoice {request.invoice_number or invoice_id} was paid {shown} in {currency or 'no currency'}; "
            f"the order's total is {format_money(order.total_cents, order.currency)}. Not fulfilled.",
            source=source,
        )
        return
    if order.payments.filter(status=Payment.Status.SUCCEEDED).exclude(stripe_invoice_id=invoice_id).exists():
        flag(
            order,
            f"Invoice {request.invoice_number or invoice_id} was paid, but the order had already been paid "
            "another way: refund one of the two payments.",
            source=source,
        )
        return
    before = order.status
    payment, created = Payment.objects.get_or_create(
        stripe_invoice_id=invoice_id,
        defaults={
            "order": order,
            "status": Payment.Status.SUCCEEDED,
            "amount_cents": amount,
            "currency": currency,
            "stripe_payment_intent_id": _paid_intent(invoice),
            "paid_at": stripe_time((invoice.get("status_transitions") or {}).get("paid_at")),
        },
    )
    if created:
        tasks.refresh_request_cash_balance.enqueue(request.pk)  # an overpayment stays on the balance
        if payment.paid_at is None:
            payment.paid_at = dt.datetime.now(dt.UTC)
            payment.save(update_fields=["paid_at"])
        states.note(
            order,
            "payment",
            f"Payment succeeded: {format_money(amount, currency)} (invoice {request.invoice_number or invoice_id}).",
            source=source,
        )
        if payment.stripe_payment_intent_id:
            tasks.record_payment_fees.enqueue(payment.pk)
    request_states.move(request, State.PAID, source=source)
    settle(order, derive_status(order), source=source, before=before)


def void_invoice(request_id: int, *, source: str) -> PaymentRequest:
    """Void the request's invoice at Stripe, then bring our records in line. Refused once it is paid."""
    request = PaymentRequest.objects.select_related("order").get(pk=request_id)
    if request.state == State.PAID or request.invoice_status == "paid":
        raise VoidRefused("The invoice is paid: refund it instead of voiding it.")
    if not request.stripe_invoice_id:
        raise VoidRefused("No invoice has been made for this request.")
    client = stripe_client().v1
    try:
        invoice = client.invoices.void_invoice(
            request.stripe_invoice_id, options={"idempotency_key": _key(request, "void")}
        ).to_dict()
    except stripe.InvalidRequestError:
        # Paid or voided meanwhile: converge on what Stripe says, then answer from it.
        invoice = client.invoices.retrieve(
            request.stripe_invoice_id, params={"expand": ["payments"]}
        ).to_dict()
    converge_request_invoice(invoice, source=source)
    request.refresh_from_db()
    if invoice.get("status") == "paid":
        raise VoidRefused("The invoice was paid before it could be voided.")
    return request


def void_closed_request_invoice(request_id: int) -> str:
    """The task after a request closed with an invoice out (the order was paid another way)."""
    request = PaymentRequest.objects.get(pk=request_id)
    if not request.stripe_invoice_id or request.invoice_status in ("void", "paid", "uncollectible"):
        return "nothing to do"
    try:
        void_invoice(request_id, source="task")
    except VoidRefused:
        return "paid"  # converge flagged the double payment for staff
    return "voided"


def fetch_request_invoice(invoice_id: str) -> dict[str, Any]:
    return stripe_client().v1.invoices.retrieve(invoice_id, params={"expand": ["payments"]}).to_dict()


def sync_open_requests() -> Iterator[tuple[str, str, str]]:
    """Converge every request whose invoice is out and unpaid on Stripe's invoice (reconcile); yields
    (order reference, state before, state after) for each request whose state changed."""
    open_requests = PaymentRequest.objects.filter(
        state__in=[State.ISSUED, State.PREPARING], stripe_invoice_id__isnull=False
    ).select_related("order")
    for request in open_requests:
        converge_request_invoice(fetch_request_invoice(request.stripe_invoice_id), source="reconcile")
        after = PaymentRequest.objects.values_list("state", flat=True).get(pk=request.pk)
        if after != request.state:
            yield request.order.reference or "", request.state, after


def refresh_cash_balance(request_id: int) -> str:
    """Store what the request's Stripe customer holds on its cash balance: money sent short of the invoice
    (Stripe does not part-pay invoices) shows on receivables; anything left once the invoice is paid is an
    overpayment, flagged for staff to refund."""
    request = PaymentRequest.objects.get(pk=request_id)
    if not request.stripe_customer_id:
        return "no customer"
    customer = (
        stripe_client()
        .v1.customers.retrieve(request.stripe_customer_id, params={"expand": ["cash_balance"]})
        .to_dict()
    )
    cash = customer.get("cash_balance") if isinstance(customer.get("cash_balance"), Mapping) else {}
    available = cash.get("available") if isinstance(cash.get("available"), Mapping) else {}
    balance = available.get((request.currency or "").lower(), 0)
    balance = balance if isinstance(balance, int) else 0
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=request.order_id)
        request = PaymentRequest.objects.select_for_update().get(pk=request_id)
        if request.cash_balance_cents != balance:
            request.cash_balance_cents = balance
            request.save(update_fields=["cash_balance_cents", "updated_at"])
        if balance > 0 and request.state == State.PAID:
            flag(
                order,
                f"Overpaid: {format_money(balance, order.currency)} stays on Stripe customer "
                f"{request.stripe_customer_id}'s cash balance after invoice {request.invoice_number} was paid. "
                "Refund it to the payer.",
                source="task",
            )
    return "recorded"


def handle_cash_balance_event(data: Mapping[str, Any], *, source: str) -> Order | None:
    """A bank transfer reached a customer's cash balance (a task: it asks Stripe for the balance)."""
    customer_id = object_id(data.get("customer"))
    request = PaymentRequest.objects.filter(stripe_customer_id=customer_id).select_related("order").first()
    if not customer_id or request is None:
        return None
    refresh_cash_balance(request.pk)
    return request.order
