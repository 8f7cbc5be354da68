"""Refunds of a charge, as staff make them in Stripe's dashboard (`FakeStripe.refund`), and how they count on
the charge (`amount_refunded`, `refunded`). The API lists and retrieves them (GET /v1/refunds, api.py) and
makes them (POST /v1/refunds, `create_refund`):

- `payment_intent` (optional `amount`, `reason`, `metadata`): what is left of the intent's charge, or
  `amount`; Stripe's 400 `charge_already_refunded` when nothing is left, `amount_too_large` past it; emits
  `refund.created` and `charge.refunded` as Stripe does (the order admin's "Refund in full at Stripe");
- `customer` with `origin=customer_balance` (`amount`, `currency`): what bank transfers left on a customer's
  cash balance, sent back to the payer; `pending` until the money moves, no event (unapplied cash on an
  ended payment request).

A credit note with `refund_amount` refunds the invoice's payment (`refund_invoice`).
"""

import copy
import secrets
import time
from typing import Any

from stripe_sandbox.payments import balance_transaction
from stripe_sandbox.state import Answer, Store, error, missing

# Refunds in these states count towards a charge's `amount_refunded`, as Stripe counts them.
COUNTED = ("pending", "requires_action", "succeeded")


def refund(
    store: Store,
    session_id: str,
    *,
    amount: int | None = None,
    status: str = "succeeded",
    reason: str | None = "requested_by_customer",
    created: int | None = None,
) -> dict[str, Any]:
    """Staff refund the session's charge (in full unless `amount`); returns the Refund. `session_id` may
    also be a PaymentIntent's id (an invoice's payment)."""
    with store._lock:
        session = store.sessions.get(session_id)
        intent = store.payment_intents[session["payment_intent"] if session else session_id]
        charge = store.charges[intent["latest_charge"]]
        amount = charge["amount"] - charge["amount_refunded"] if amount is None else amount
        return _new_refund(store, intent, charge, amount, status=status, reason=reason, created=created)


def _new_refund(
    store: Store,
    intent: dict[str, Any],
    charge: dict[str, Any],
    amount: int,
    *,
    status: str = "succeeded",
    reason: str | None = None,
    created: int | None = None,
    metadata: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A refund of `amount` on the intent's charge (the caller holds the lock)."""
    refund_id = f"re_test_{secrets.token_hex(8)}"
    transaction = balance_transaction(store, -amount, 0, charge["currency"], "refund", refund_id)
    store.refunds[refund_id] = {
        "id": refund_id,
        "object": "refund",
        "amount": amount,
        "balance_transaction": transaction["id"],
        "charge": charge["id"],
        "created": int(time.time()) if created is None else created,
        "currency": charge["currency"],
        "metadata": metadata or {},
        "payment_intent": intent["id"],
        "reason": reason,
        "status": status,
    }
    refresh_charge(store, charge)
    return copy.deepcopy(store.refunds[refund_id])


def create_refund(store: Store, _: str, form: dict[str, Any]) -> Answer:
    """POST /v1/refunds (the API holds the lock)."""
    if form.get("customer") or form.get("origin") == "customer_balance":
        return _refund_cash_balance(store, form)
    intent_id = form.get("payment_intent") or ""
    intent = store.payment_intents.get(intent_id)
    charge = store.charges.get(intent.get("latest_charge") or "") if intent else None
    if charge is None:
        return missing("payment_intent", intent_id)
    left = charge["amount"] - charge["amount_refunded"]
    amount = int(form["amount"]) if form.get("amount") else left
    if left <= 0:
        return 400, error(f"Charge {charge['id']} has already been refunded.", code="charge_already_refunded")
    if amount > left:
        return 400, error(
            f"Refund amount ({amount}) is greater than unrefunded amount.", code="amount_too_large"
        )
    refund = _new_refund(
        store, intent, charge, amount, reason=form.get("reason"), metadata=form.get("metadata") or {}
    )
    store.emit_locked("refund.created", refund)
    store.emit_locked("charge.refunded", copy.deepcopy(charge))
    return 200, refund


def refund_invoice(store: Store, invoice: dict[str, Any], amount: int) -> dict[str, Any] | str:
    """A refund of `amount` on what paid the invoice (its payment, or the Checkout Session that made it),
    with its events; or Stripe's complaint (the caller holds the lock)."""
    paid = [p["payment"]["payment_intent"] for p in (invoice.get("payments") or {}).get("data") or []]
    paid += [s["payment_intent"] for s in store.sessions.values() if s.get("invoice") == invoice["id"]]
    intent = store.payment_intents.get(paid[0] if paid else "")
    charge = store.charges.get(intent["latest_charge"]) if intent else None
    if charge is None or amount > charge["amount"] - charge["amount_refunded"]:
        return "The refund amount is more than is left to refund on the invoice's payment."
    refund = _new_refund(store, intent, charge, amount, reason="requested_by_customer")
    store.emit_locked("refund.created", refund)
    store.emit_locked("charge.refunded", copy.deepcopy(charge))
    return refund


def _refund_cash_balance(store: Store, form: dict[str, Any]) -> Answer:
    """What bank transfers left on a customer's cash balance, back to the payer (card refunds go through
    `payment_intent`)."""
    if form.get("origin") != "customer_balance" or not form.get("customer"):
        return 400, error("A customer's cash balance is refunded with customer and origin=customer_balance.")
    customer = store.customers.get(form["customer"])
    if customer is None:
        return missing("customer", form["customer"])
    currency = (form.get("currency") or "").lower()
    amount = int(form.get("amount") or customer["_cash"].get(currency, 0))
    if not currency or amount <= 0 or amount > customer["_cash"].get(currency, 0):
        return 400, error("The refund exceeds the customer's cash balance.", code="balance_insufficient")
    customer["_cash"][currency] -= amount
    refund_id = f"re_test_{secrets.token_hex(8)}"
    store.refunds[refund_id] = {
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
    return 200, copy.deepcopy(store.refunds[refund_id])


def update_refund(store: Store, refund_id: str, **fields: Any) -> dict[str, Any]:
    """The refund changes at Stripe (a pending one succeeds, say); emits `refund.updated`."""
    with store._lock:
        found = store.refunds[refund_id]
        found.update(fields)
        refresh_charge(store, store.charges[found["charge"]])
        store.emit_locked("refund.updated", found)
        return copy.deepcopy(found)


def refresh_charge(store: Store, charge: dict[str, Any]) -> None:
    """The charge's refunded amount after its refunds changed (the caller holds the lock)."""
    charge["amount_refunded"] = sum(
        r["amount"] for r in store.refunds.values() if r["charge"] == charge["id"] and r["status"] in COUNTED
    )
    charge["refunded"] = charge["amount_refunded"] >= charge["amount"]
