"""Customers, invoice items and invoices on terms for the fake Stripe API (payment requests).

    POST /v1/customers                                     create
    GET  /v1/customers/<id>                                retrieve
    POST /v1/invoiceitems                                  create (on a draft invoice, or pending)
    POST /v1/invoices                                      create (a draft)
    GET  /v1/invoices, /v1/invoices/<id>                   list (`customer`, `status`), retrieve
    POST /v1/invoices/<id>/finalize, /void, /send          finalize_invoice, void_invoice, send_invoice
    POST /v1/checkout/sessions/<id>/expire                 expire an open Checkout Session
    POST /v1/test_helpers/customers/<id>/fund_cash_balance a bank transfer arrives
    POST /v1/refunds (customer, origin=customer_balance)   refund a customer's cash balance

Every body is checked against the stripe library's parameter types, like the fake's other endpoints. A
funded cash balance pays the customer's open invoices in full, oldest first (Stripe never part-pays an
invoice from the balance); what is left stays on the balance. Paying one makes a PaymentIntent, its Charge
and a balance transaction (fee 0.8%, at most 5.00), and emits `invoice.paid`.
"""

import re
import secrets
import time
from typing import TYPE_CHECKING, Any

from stripe.params import (
    _customer_create_params,
    _customer_retrieve_params,
    _invoice_create_params,
    _invoice_finalize_invoice_params,
    _invoice_item_create_params,
    _invoice_list_params,
    _invoice_send_invoice_params,
    _invoice_void_invoice_params,
    _refund_create_params,
)
from stripe.params.checkout import _session_expire_params
from stripe.params.test_helpers import _customer_fund_cash_balance_params

from stripe_sandbox.params import parameter_problems

if TYPE_CHECKING:
    from stripe_sandbox.fake import FakeStripe, RecordedRequest

Answer = tuple[int, dict[str, Any]]

POST_ROUTES = [
    (r"/v1/customers", "create_customer", _customer_create_params.CustomerCreateParams),
    (r"/v1/invoiceitems", "create_item", _invoice_item_create_params.InvoiceItemCreateParams),
    (r"/v1/invoices", "create_invoice", _invoice_create_params.InvoiceCreateParams),
    (
        r"/v1/invoices/([^/]+)/finalize",
        "finalize",
        _invoice_finalize_invoice_params.InvoiceFinalizeInvoiceParams,
    ),
    (r"/v1/invoices/([^/]+)/void", "void", _invoice_void_invoice_params.InvoiceVoidInvoiceParams),
    (r"/v1/invoices/([^/]+)/send", "send", _invoice_send_invoice_params.InvoiceSendInvoiceParams),
    (r"/v1/checkout/sessions/([^/]+)/expire", "expire_session", _session_expire_params.SessionExpireParams),
    (
        r"/v1/test_helpers/customers/([^/]+)/fund_cash_balance",
        "fund",
        _customer_fund_cash_balance_params.CustomerFundCashBalanceParams,
    ),
    (r"/v1/refunds", "create_refund", _refund_create_params.RefundCreateParams),
]
GET_ROUTES = [
    (r"/v1/customers/([^/]+)", "retrieve_customer", _customer_retrieve_params.CustomerRetrieveParams),
    (r"/v1/invoices", "list_invoices", _invoice_list_params.InvoiceListParams),
]


def route(method: str, path: str) -> tuple[str, str, type] | None:
    for pattern, action, params_type in POST_ROUTES if method == "POST" else GET_ROUTES:
        if match := re.fullmatch(pattern, path):
            return action, (match.group(1) if match.groups() else ""), params_type
    return None


def answer(fake: "FakeStripe", request: "RecordedRequest", body_or_query: str) -> Answer | None:
    """The fake's answer for a billing endpoint, or None when the path is not one."""
    found = route(request.method, request.path)
    if found is None:
        return None
    action, object_id, params_type = found
    problems = parameter_problems(body_or_query, params_type)
    if problems:
        return 400, error(problems[0], code="parameter_unknown")
    form = request.form if request.method == "POST" else _query(body_or_query)
    with fake._lock:
        return globals()[f"_{action}"](fake, object_id, form)


def _query(query: str) -> dict[str, Any]:
    from stripe_sandbox.params import decode_form

    return decode_form(query) if query else {}


def error(message: str, code: str | None = None, status: int = 400) -> dict[str, Any]:
    body: dict[str, Any] = {"type": "invalid_request_error", "message": message}
    if code:
        body["code"] = code
    return {"error": body}


def _missing(kind: str, object_id: str) -> Answer:
    return 404, error(f"No such {kind}: '{object_id}'", code="resource_missing")


def _copy(obj: dict[str, Any]) -> dict[str, Any]:
    import copy

    return {k: copy.deepcopy(v) for k, v in obj.items() if not k.startswith("_")}


def _create_customer(fake: "FakeStripe", _: str, form: dict[str, Any]) -> Answer:
    customer_id = f"cus_test_{secrets.token_hex(7)}"
    fake.customers[customer_id] = {
        "id": customer_id,
        "object": "customer",
        "address": form.get("address"),
        "cash_balance": None,
        "created": int(time.time()),
        "email": form.get("email"),
        "livemode": False,
        "metadata": form.get("metadata") or {},
        "name": form.get("name"),
        "_tax_ids": form.get("tax_id_data") or [],
        "_cash": {},
    }
    return 200, _copy(fake.customers[customer_id])


def _retrieve_customer(fake: "FakeStripe", customer_id: str, _: dict[str, Any]) -> Answer:
    customer = fake.customers.get(customer_id)
    if customer is None:
        return _missing("customer", customer_id)
    shown = _copy(customer)
    shown["cash_balance"] = {"object": "cash_balance", "available": dict(customer["_cash"])}
    return 200, shown


def _create_invoice(fake: "FakeStripe", _: str, form: dict[str, Any]) -> Answer:
    customer = fake.customers.get(form.get("customer") or "")
    if customer is None:
        return _missing("customer", form.get("customer") or "")
    if form.get("collection_method") == "send_invoice" and not (
        form.get("days_until_due") or form.get("due_date")
    ):
        return 400, error("Invoices with collection_method=send_invoice need days_until_due or due_date.")
    invoice_id = f"in_test_{secrets.token_hex(8)}"
    settings = form.get("payment_settings") or {}
    fake.invoices[invoice_id] = {
        "id": invoice_id,
        "object": "invoice",
        "amount_due": 0,
        "amount_paid": 0,
        "amount_remaining": 0,
        "collection_method": form.get("collection_method") or "charge_automatically",
        "created": int(time.time()),
        "currency": (form.get("currency") or "usd").lower(),
        "custom_fields": form.get("custom_fields"),
        "customer": customer["id"],
        "customer_email": customer["email"],
        "customer_name": customer["name"],
        "customer_tax_ids": list(customer["_tax_ids"]),
        "days_until_due": int(form["days_until_due"]) if form.get("days_until_due") else None,
        "description": form.get("description"),
        "due_date": None,
        "footer": form.get("footer"),
        "hosted_invoice_url": None,
        "invoice_pdf": None,
        "lines": {"object": "list", "data": [], "has_more": False},
        "livemode": False,
        "metadata": form.get("metadata") or {},
        "number": None,
        "payment_settings": {
            "payment_method_types": settings.get("payment_method_types"),
            "payment_method_options": settings.get("payment_method_options"),
        },
        "payments": {"object": "list", "data": [], "has_more": False},
        "status": "draft",
        "status_transitions": {"finalized_at": None, "paid_at": None, "voided_at": None},
        "total": 0,
        "_sent": 0,
    }
    return 200, _copy(fake.invoices[invoice_id])


def _create_item(fake: "FakeStripe", _: str, form: dict[str, Any]) -> Answer:
    invoice = fake.invoices.get(form.get("invoice") or "")
    if form.get("invoice") and invoice is None:
        return _missing("invoice", form["invoice"])
    if invoice is not None and invoice["status"] != "draft":
        return 400, error("Invoice items can only be added to draft invoices.")
    quantity = int(form.get("quantity") or 1)
    if "amount" in form:
        if "quantity" in form or "unit_amount_decimal" in form:
            return 400, error("amount cannot be combined with quantity or unit_amount_decimal.")
        amount = int(form["amount"])
    elif "unit_amount_decimal" in form:
        amount = int(form["unit_amount_decimal"]) * quantity
    else:
        return 400, error("Give amount, unit_amount_decimal or price_data.")
    item = {
        "id": f"ii_test_{secrets.token_hex(8)}",
        "object": "line_item",
        "amount": amount,
        "currency": (form.get("currency") or "").lower(),
        "description": form.get("description"),
        "quantity": quantity,
    }
    if invoice is not None:
        if item["currency"] != invoice["currency"]:
            return 400, error("The invoice item's currency must match the invoice's.")
        invoice["lines"]["data"].append(item)
        invoice["total"] = invoice["amount_due"] = invoice["amount_remaining"] = sum(
            line["amount"] for line in invoice["lines"]["data"]
        )
    return 200, dict(item, object="invoiceitem", invoice=form.get("invoice"))


def _finalize(fake: "FakeStripe", invoice_id: str, _: dict[str, Any]) -> Answer:
    invoice = fake.invoices.get(invoice_id)
    if invoice is None:
        return _missing("invoice", invoice_id)
    if invoice["status"] != "draft":
        return 400, error("This invoice is already finalized.", code="invoice_not_editable")
    now = int(time.time())
    invoice.update(
        status="open",
        number=f"CPMA-T{len(fake.invoices):04d}",
        hosted_invoice_url=f"https://invoice.stripe.com/i/test_{invoice_id}",
        invoice_pdf=f"https://pay.stripe.com/invoice/test_{invoice_id}/pdf",
    )
    if invoice["days_until_due"]:
        invoice["due_date"] = now + invoice["days_until_due"] * 86400
    invoice["status_transitions"]["finalized_at"] = now
    fake.emit_locked("invoice.finalized", invoice)
    if invoice["amount_due"] == 0:
        _mark_paid(fake, invoice, None)
    return 200, _copy(invoice)


def _void(fake: "FakeStripe", invoice_id: str, _: dict[str, Any]) -> Answer:
    invoice = fake.invoices.get(invoice_id)
    if invoice is None:
        return _missing("invoice", invoice_id)
    if invoice["status"] != "open":
        return 400, error(f"You can only void an open invoice; this one is {invoice['status']}.")
    invoice["status"] = "void"
    invoice["status_transitions"]["voided_at"] = int(time.time())
    fake.emit_locked("invoice.voided", invoice)
    return 200, _copy(invoice)


def _send(fake: "FakeStripe", invoice_id: str, _: dict[str, Any]) -> Answer:
    invoice = fake.invoices.get(invoice_id)
    if invoice is None:
        return _missing("invoice", invoice_id)
    if invoice["status"] != "open" or invoice["collection_method"] != "send_invoice":
        return 400, error("Only open invoices with collection_method=send_invoice can be sent.")
    invoice["_sent"] += 1  # in test mode Stripe sends no email
    return 200, _copy(invoice)


def _list_invoices(fake: "FakeStripe", _: str, query: dict[str, Any]) -> Answer:
    items = [
        invoice
        for invoice in fake.invoices.values()
        if all(invoice.get(key) == query[key] for key in ("customer", "status") if key in query)
    ]
    items.sort(key=lambda item: (-item["created"], item["id"]))
    limit = int(query.get("limit") or 10)
    if query.get("starting_after"):
        ids = [item["id"] for item in items]
        if query["starting_after"] in ids:
            items = items[ids.index(query["starting_after"]) + 1 :]
    page = [_copy(item) for item in items[:limit]]
    return 200, {"object": "list", "data": page, "has_more": len(items) > limit, "url": "/v1/invoices"}


def _expire_session(fake: "FakeStripe", session_id: str, _: dict[str, Any]) -> Answer:
    session = fake.sessions.get(session_id)
    if session is None:
        return _missing("checkout.session", session_id)
    if session["status"] != "open":
        return 400, error(f"Only open sessions can be expired; this one is {session['status']}.")
    session["status"] = "expired"
    fake.emit_locked("checkout.session.expired", session)
    return 200, _copy(session)


def _fund(fake: "FakeStripe", customer_id: str, form: dict[str, Any]) -> Answer:
    customer = fake.customers.get(customer_id)
    if customer is None:
        return _missing("customer", customer_id)
    currency = form["currency"].lower()
    amount = int(form["amount"])
    if amount <= 0:
        return 400, error("amount must be positive.")
    customer["_cash"][currency] = customer["_cash"].get(currency, 0) + amount
    open_invoices = sorted(
        (
            i
            for i in fake.invoices.values()
            if i["customer"] == customer_id and i["status"] == "open" and i["currency"] == currency
        ),
        key=lambda i: i["created"],
    )
    for invoice in open_invoices:
        if invoice["amount_remaining"] <= customer["_cash"][currency]:
            customer["_cash"][currency] -= invoice["amount_remaining"]
            _mark_paid(fake, invoice, "customer_balance")
    transaction = {
        "id": f"ccsbtxn_test_{secrets.token_hex(8)}",
        "object": "customer_cash_balance_transaction",
        "created": int(time.time()),
        "currency": currency,
        "customer": customer_id,
        "ending_balance": customer["_cash"][currency],
        "livemode": False,
        "net_amount": amount,
        "type": "funded",
    }
    fake.emit_locked("customer_cash_balance_transaction.created", transaction)
    return 200, transaction


def _create_refund(fake: "FakeStripe", _: str, form: dict[str, Any]) -> Answer:
    """Only a customer's cash balance (what bank transfers left there) is refunded through this endpoint
    here; card refunds are made with `FakeStripe.refund()`, as staff do in Stripe's dashboard."""
    if form.get("origin") != "customer_balance" or not form.get("customer"):
        return 400, error(
            "This fake refunds only a customer's cash balance (customer, origin=customer_balance)."
        )
    customer = fake.customers.get(form["customer"])
    if customer is None:
        return _missing("customer", form["customer"])
    currency = (form.get("currency") or "").lower()
    amount = int(form.get("amount") or customer["_cash"].get(currency, 0))
    if not currency or amount <= 0 or amount > customer["_cash"].get(currency, 0):
        return 400, error("The refund exceeds the customer's cash balance.", code="balance_insufficient")
    customer["_cash"][currency] -= amount
    refund_id = f"re_test_{secrets.token_hex(8)}"
    fake.refunds[refund_id] = {
        "id": refund_id,
        "object": "refund",
        "amount": amount,
        "balance_transaction": None,
        "charge": None,
        "created": int(time.time()),
        "currency": currency,
        "metadata": form.get("metadata") or {},
        "payment_intent": None,
        "reason": None,
        "status": "pending",  # until the customer's bank account details are collected and the money moves
    }
    return 200, _copy(fake.refunds[refund_id])


def pay_invoice(fake: "FakeStripe", invoice_id: str) -> dict[str, Any]:
    """The payer paid the hosted invoice page by card."""
    with fake._lock:
        invoice = fake.invoices[invoice_id]
        if invoice["status"] not in ("open", "uncollectible"):  # Stripe takes payment of both
            raise ValueError(f"invoice {invoice_id} is {invoice['status']}")
        _mark_paid(fake, invoice, "card")
        return _copy(invoice)


def mark_uncollectible(fake: "FakeStripe", invoice_id: str) -> dict[str, Any]:
    """Staff mark the invoice uncollectible in Stripe's dashboard."""
    with fake._lock:
        invoice = fake.invoices[invoice_id]
        if invoice["status"] != "open":
            raise ValueError(f"invoice {invoice_id} is {invoice['status']}")
        invoice["status"] = "uncollectible"
        fake.emit_locked("invoice.marked_uncollectible", invoice)
        return _copy(invoice)


def _mark_paid(fake: "FakeStripe", invoice: dict[str, Any], method: str | None) -> None:
    """The invoice is paid in full (caller holds the lock): a PaymentIntent, Charge and balance
    transaction when money moved, then `invoice.paid`."""
    now = int(time.time())
    amount = invoice["amount_remaining"]
    if amount:
        fee = min(round(amount * 0.008), 500) if method == "customer_balance" else round(amount * 0.029) + 30
        intent_id = f"pi_test_{secrets.token_hex(8)}"
        charge_id = f"ch_test_{secrets.token_hex(8)}"
        transaction = fake._balance_transaction(amount, fee, invoice["currency"], "charge", charge_id)
        fake.payment_intents[intent_id] = {
            "id": intent_id,
            "object": "payment_intent",
            "amount": amount,
            "currency": invoice["currency"],
            "created": now,
            "latest_charge": charge_id,
            "livemode": False,
            "metadata": {},
            "payment_method_types": [method],
            "status": "succeeded",
        }
        fake.charges[charge_id] = {
            "id": charge_id,
            "object": "charge",
            "amount": amount,
            "amount_captured": amount,
            "amount_refunded": 0,
            "balance_transaction": transaction["id"],
            "captured": True,
            "created": now,
            "currency": invoice["currency"],
            "livemode": False,
            "metadata": {},
            "paid": True,
            "payment_intent": intent_id,
            "refunded": False,
            "status": "succeeded",
        }
        invoice["payments"]["data"].append(
            {
                "id": f"inpay_test_{secrets.token_hex(8)}",
                "object": "invoice_payment",
                "amount_paid": amount,
                "amount_requested": amount,
                "created": now,
                "currency": invoice["currency"],
                "invoice": invoice["id"],
                "is_default": True,
                "livemode": False,
                "payment": {"type": "payment_intent", "payment_intent": intent_id},
                "status": "paid",
                "status_transitions": {"canceled_at": None, "paid_at": now},
            }
        )
    invoice["amount_paid"] += amount
    invoice["amount_remaining"] = 0
    invoice["status"] = "paid"
    invoice["status_transitions"]["paid_at"] = now
    fake.emit_locked("invoice.paid", invoice)
