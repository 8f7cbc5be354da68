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

from stripe_sandbox import tax
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
    automatic_tax = (params.get("automatic_tax") or {}).get("enabled") == "true"
    behaviours = {item["price_data"].get("tax_behavior") or "exclusive" for item in line_items}
    if len(behaviours) != 1:
        return 400, error("This fake takes one tax_behavior for all line items.")
    session_id = f"cs_test_{secrets.token_hex(24)}"
    session = {
        "id": session_id,
        "object": "checkout.session",
        "allow_promotion_codes": params.get("allow_promotion_codes") == "true",
        "automatic_tax": {"enabled": automatic_tax, "liability": None, "provider": None, "status": None},
        "amount_subtotal": subtotal,
        "amount_total": subtotal,
        "cancel_url": params.get("cancel_url"),
        "client_reference_id": params.get("client_reference_id"),
        "created": int(time.time()),
        "currency": currencies.pop(),
        "customer": None,
        "customer_details": None,
        "customer_email": params.get("customer_email"),
        "expires_at": int(params.get("expires_at") or time.time() + 24 * 3600),
        "after_expiration": after_expiration(params),
        # Reported as asked; a test plays Stripe's conversion with set_session(presentment_details=...).
        "adaptive_pricing": {"enabled": (params.get("adaptive_pricing") or {}).get("enabled") == "true"},
        "presentment_details": None,
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
        "_tax_behavior": behaviours.pop(),
        "_line_items": [
            {
                "name": item["price_data"]["product_data"]["name"],
                "description": item["price_data"]["product_data"].get("description") or "",
                "quantity": int(item["quantity"]),
                "unit_amount": int(item["price_data"]["unit_amount"]),
                "tax_code": item["price_data"]["product_data"].get("tax_code") or "",
            }
            for item in line_items
        ],
    }
    store.sessions[session_id] = session
    return 200, public(session)


def after_expiration(params: dict[str, Any]) -> dict[str, Any] | None:
    recovery = (params.get("after_expiration") or {}).get("recovery")
    if not recovery:
        return None
    return {
        "recovery": {
            "enabled": recovery.get("enabled") == "true",
            "allow_promotion_codes": recovery.get("allow_promotion_codes") == "true",
            "expires_at": None,
            "url": None,
        }
    }


def expire(store: Store, session_id: str, _: dict[str, Any]) -> Answer:
    session = store.sessions.get(session_id)
    if session is None:
        return missing("checkout.session", session_id)
    if session["status"] != "open":
        return 400, error(f"Only open sessions can be expired; this one is {session['status']}.")
    session["status"] = "expired"
    recovery = (session.get("after_expiration") or {}).get("recovery")
    if recovery and recovery["enabled"]:
        # Stripe's link that makes a copy of the expired session (valid for 30 days).
        recovery.update(url=f"{store.url}/c/recover/{session_id}", expires_at=int(time.time()) + 30 * 86400)
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
    amount_tax: int | None = None,
    amount_total: int | None = None,
    currency: str | None = None,
    business_name: str | None = None,
    tax_ids: list[dict[str, str]] | None = None,
    country: str = "US",
) -> dict[str, Any]:
    """Play the buyer paying on the hosted page; returns the session as events and retrieve show it.

    When the session asked for an invoice (`invoice_creation[enabled]`), a paid session gets one. With
    `automatic_tax[enabled]` the tax is Stripe Tax's for the buyer's `country` and `tax_ids` (tax.py), its
    breakdown shown under `expand[]=total_details.breakdown`; `amount_tax` given sets the tax outright (a
    test playing a figure Stripe might report).

    "paid" makes a succeeded PaymentIntent with its Charge and balance transaction; "unpaid" (a delayed
    method such as a bank debit) a processing PaymentIntent; "no_payment_required" no PaymentIntent.
    """
    with store._lock:
        session = store.sessions[session_id]
        tax_ids = tax_ids or []
        taxable = session["amount_subtotal"] - amount_discount
        inclusive = session.get("_tax_behavior") == "inclusive"
        computed = None
        if amount_tax is None and session["automatic_tax"]["enabled"]:
            computed = tax.compute(amount=taxable, country=country, tax_ids=tax_ids, inclusive=inclusive)
            amount_tax = computed.amount
            session["automatic_tax"].update(provider="stripe", status="complete")
            session["_tax_breakdown"] = {"discounts": [], "taxes": computed.breakdown()}
        amount_tax = amount_tax or 0
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
                "tax_ids": tax_ids,
                "address": tax.sample_address(country),
            },
            total_details={
                "amount_discount": amount_discount,
                "amount_shipping": 0,
                "amount_tax": amount_tax,
            },
        )
        added_tax = 0 if computed is not None and inclusive else amount_tax
        session["amount_total"] = taxable + added_tax if amount_total is None else amount_total
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
