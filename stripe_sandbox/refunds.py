"""Refunds of a charge, as staff make them in Stripe's dashboard (`FakeStripe.refund`), and how they count on
the charge (`amount_refunded`, `refunded`). The API lists and retrieves them (GET /v1/refunds, api.py).

Credit notes on an invoice, when the shop comes to use them, belong here beside refunds: they are the
invoice's side of giving money back.
"""

import copy
import secrets
import time
from typing import Any

from stripe_sandbox.payments import balance_transaction
from stripe_sandbox.state import Store

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
            "metadata": {},
            "payment_intent": intent["id"],
            "reason": reason,
            "status": status,
        }
        refresh_charge(store, charge)
        return copy.deepcopy(store.refunds[refund_id])


def update_refund(store: Store, refund_id: str, **fields: Any) -> dict[str, Any]:
    with store._lock:
        found = store.refunds[refund_id]
        found.update(fields)
        refresh_charge(store, store.charges[found["charge"]])
        return copy.deepcopy(found)


def refresh_charge(store: Store, charge: dict[str, Any]) -> None:
    """The charge's refunded amount after its refunds changed (the caller holds the lock)."""
    charge["amount_refunded"] = sum(
        r["amount"] for r in store.refunds.values() if r["charge"] == charge["id"] and r["status"] in COUNTED
    )
    charge["refunded"] = charge["amount_refunded"] >= charge["amount"]
