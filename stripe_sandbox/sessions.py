"""Checkout Sessions: created by the shop, completed by the buyer on the payment page (or by a test through
FakeStripe.complete_session), settled later when the payment was delayed, and expired.

    POST /v1/checkout/sessions                  create (mode=payment only)
    GET  /v1/checkout/sessions, /<id>           list, retrieve (api.py serves them from the store)
    POST /v1/checkout/sessions/<id>/expire      expire an open session

`create` and `expire` answer an API request whose parameters api.py has checked, with the lock held. A paid
session gets its Charge (payments.py) and, when it asked for one, its invoice (invoices.py).
"""

import copy
import secrets
import time
from typing import Any

from stripe_sandbox.invoices import session_invoice
from stripe_sandbox.payments import session_charge
from stripe_sandbox.state import Answer, Store, error, missing, public


def create(store: Store, _: str, params: dict[str, Any]) -> Answer:
    if params.get("mode") != "payment":
        return 400, error("This fake only serves mode=payment.")
    line_items = params.get("line_items") or []
    if not line_items:
        return 400, error("line_items is required in payment mode.")
    currencies = {item["price_data"]["currency"] for item in line_items}
    if len(currencies) != 1:
        return 400, error("All line items must share one currency.")
    subtotal = sum(int(item["price_data"]["unit_amount"]) * int(item["quantity"]) for item in line_items)
    session_id = f"cs_test_{secrets.token_hex(24)}"
    session = {
        "id": session_id,
        "object": "checkout.session",
        "allow_promotion_codes": params.get("allow_promotion_codes") == "true",
        "amount_subtotal": subtotal,
        "amount_total": subtotal,
        "cancel_url": params.get("cancel_url"),
        "client_reference_id": params.get("client_reference_id"),
        "created": int(time.time()),
        "currency": currencies.pop(),
        "customer": None,
        "customer_details": None,
        "customer_email": params.get("customer_email"),
        "expires_at": int(time.time()) + 24 * 3600,
        "livemode": False,
        "metadata": params.get("metadata") or {},
        "mode": "payment",
        "payment_intent": None,
        "payment_status": "unpaid",
        "status": "open",
        "success_url": params.get("success_url"),
        "total_details": {"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0},
        "url": f"{store.url if store.hosted_origin == 'self' else store.hosted_origin}/c/pay/{session_id}",
        "invoice": None,
        "_payment_intent_metadata": (params.get("payment_intent_data") or {}).get("metadata") or {},
        "_invoice_creation": params.get("invoice_creation") or {},
        "_line_items": [
            {
                "name": item["price_data"]["product_data"]["name"],
                "description": item["price_data"]["product_data"].get("description") or "",
                "quantity": int(item["quantity"]),
                "unit_amount": int(item["price_data"]["unit_amount"]),
            }
            for item in line_items
        ],
    }
    store.sessions[session_id] = session
    return 200, public(session)


def expire(store: Store, session_id: str, _: dict[str, Any]) -> Answer:
    session = store.sessions.get(session_id)
    if session is None:
        return missing("checkout.session", session_id)
    if session["status"] != "open":
        return 400, error(f"Only open sessions can be expired; this one is {session['status']}.")
    session["status"] = "expired"
    store.emit_locked("checkout.session.expired", session)
    return 200, public(session)


def complete_session(
    store: Store,
    session_id: str,
    *,
    payment_status: str = "paid",
    email: str = "buyer@example.com",
    name: str = "Test Buyer",
    amount_discount: int = 0,
    amount_tax: int = 0,
    amount_total: int | None = None,
    currency: str | None = None,
    business_name: str | None = None,
    tax_ids: list[dict[str, str]] | None = None,
    country: str = "US",
) -> dict[str, Any]:
    """Play the buyer paying on the hosted page; returns the session as events and retrieve show it.

    When the session asked for an invoice (`invoice_creation[enabled]`), a paid session gets one.

    "paid" makes a succeeded PaymentIntent with its Charge and balance transaction; "unpaid" (a delayed
    method such as a bank debit) a processing PaymentIntent; "no_payment_required" no PaymentIntent.
    """
    with store._lock:
        session = store.sessions[session_id]
        session.update(
            status="complete",
            payment_status=payment_status,
            customer_details={
                "email": email,
                "name": name,
                "business_name": business_name,
                "individual_name": None,
                "phone": None,
                "tax_exempt": "none",
                "tax_ids": tax_ids or [],
                "address": {
                    "city": "Los Angeles",
                    "country": country,
                    "line1": "1 Studio Way",
                    "line2": None,
                    "postal_code": "90001",
                    "state": "CA",
                },
            },
            total_details={
                "amount_discount": amount_discount,
                "amount_shipping": 0,
                "amount_tax": amount_tax,
            },
        )
        session["amount_total"] = (
            session["amount_subtotal"] - amount_discount + amount_tax
            if amount_total is None
            else amount_total
        )
        if currency is not None:
            session["currency"] = currency
        if payment_status != "no_payment_required" and not session["payment_intent"]:
            intent_id = f"pi_test_{secrets.token_hex(8)}"
            session["payment_intent"] = intent_id
            store.payment_intents[intent_id] = {
                "id": intent_id,
                "object": "payment_intent",
                "amount": session["amount_total"],
                "currency": session["currency"],
                "created": int(time.time()),
                "latest_charge": None,
                "livemode": False,
                "metadata": dict(session["_payment_intent_metadata"]),
                "status": "processing",
            }
        if payment_status == "paid":
            session_charge(store, session)
            session_invoice(store, session)
        return copy.deepcopy(session)


def settle_async(store: Store, session_id: str, *, succeeded: bool = True) -> dict[str, Any]:
    """A delayed payment clears (or fails) after the buyer completed Checkout."""
    with store._lock:
        session = store.sessions[session_id]
        intent = store.payment_intents[session["payment_intent"]]
        if succeeded:
            session["payment_status"] = "paid"
            session_charge(store, session)
            session_invoice(store, session)
        else:
            intent["status"] = "requires_payment_method"
        return copy.deepcopy(session)


def expire_session(store: Store, session_id: str) -> dict[str, Any]:
    """Mark the session expired, without an event."""
    with store._lock:
        store.sessions[session_id].update(status="expired")
        return copy.deepcopy(store.sessions[session_id])


def set_session(store: Store, session_id: str, **fields: Any) -> dict[str, Any]:
    with store._lock:
        store.sessions[session_id].update(fields)
        return copy.deepcopy(store.sessions[session_id])
