"""The money behind a payment, as Stripe keeps it: PaymentIntents, their Charges, the balance transactions
those make (with Stripe's fee), payouts that sweep the balance, and disputes that take a charge's money
back. The API serves them read-only (GET, api.py); the tests make them through FakeStripe's controls."""

import copy
import secrets
import time
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from stripe_sandbox.state import Store

# The account settles in dollars: pounds and euros convert at these fixed rates (US cents per penny or euro
# cent, as Stripe's `exchange_rate` multiplies amounts); Stripe's rates move, these stay put.
SETTLEMENT_CURRENCY = "usd"
EXCHANGE_RATES = {"gbp": Decimal("1.25"), "eur": Decimal("1.08")}


def balance_transaction(
    store: Store, amount: int, fee: int, currency: str, kind: str, source: str | None = None
) -> dict[str, Any]:
    """A pending balance transaction, converted at a rate above (half up, away from zero: a full refund
    settles as its charge did; the caller holds the lock)."""
    rate = EXCHANGE_RATES.get(currency)
    amount, fee = ((Decimal(n) * (rate or 1)).quantize(Decimal(1), ROUND_HALF_UP) for n in (amount, fee))
    transaction_id = f"txn_test_{secrets.token_hex(8)}"
    store.balance_transactions[transaction_id] = {
        "id": transaction_id,
        "object": "balance_transaction",
        "amount": int(amount),
        "created": int(time.time()),
        "currency": SETTLEMENT_CURRENCY if rate else currency,
        "exchange_rate": float(rate) if rate else None,
        "fee": int(fee),
        "net": int(amount - fee),
        "source": source,
        "status": "pending",
        "type": kind,
        "_payout": None,
    }
    return store.balance_transactions[transaction_id]


def session_charge(store: Store, session: dict[str, Any]) -> dict[str, Any]:
    """The Charge (and its balance transaction, fee 2.9% + 30) behind a paid session's PaymentIntent (the
    caller holds the lock)."""
    intent = store.payment_intents[session["payment_intent"]]
    intent["status"] = "succeeded"
    if intent["latest_charge"]:
        return store.charges[intent["latest_charge"]]
    amount = session["amount_total"]
    now = int(time.time())
    fee = round(amount * 0.029) + 30
    charge = _succeeded_charge(
        store, amount, fee, session["currency"], intent["id"], dict(intent["metadata"]), now
    )
    intent["latest_charge"] = charge["id"]
    return charge


def _succeeded_charge(
    store: Store, amount: int, fee: int, currency: str, intent_id: str, metadata: dict[str, Any], now: int
) -> dict[str, Any]:
    """A succeeded Charge of the PaymentIntent, with its balance transaction (the caller holds the lock)."""
    charge_id = f"ch_test_{secrets.token_hex(8)}"
    transaction = balance_transaction(store, amount, fee, currency, "charge", charge_id)
    store.charges[charge_id] = {
        "id": charge_id,
        "object": "charge",
        "amount": amount,
        "amount_captured": amount,
        "amount_refunded": 0,
        "balance_transaction": transaction["id"],
        "captured": True,
        "created": now,
        "currency": currency,
        "livemode": False,
        "metadata": metadata,
        "paid": True,
        "payment_intent": intent_id,
        "refunded": False,
        "status": "succeeded",
    }
    return store.charges[charge_id]


def paid_intent(store: Store, amount: int, currency: str, fee: int, method: str | None, now: int) -> str:
    """A succeeded PaymentIntent paid by `method`, with its Charge and balance transaction, for an invoice
    (the caller holds the lock); returns the PaymentIntent's id."""
    intent_id = f"pi_test_{secrets.token_hex(8)}"
    charge = _succeeded_charge(store, amount, fee, currency, intent_id, {}, now)
    store.payment_intents[intent_id] = {
        "id": intent_id,
        "object": "payment_intent",
        "amount": amount,
        "currency": currency,
        "created": now,
        "latest_charge": charge["id"],
        "livemode": False,
        "metadata": {},
        "payment_method_types": [method],
        "status": "succeeded",
    }
    return intent_id


def charge_for(store: Store, session_id: str) -> dict[str, Any]:
    with store._lock:
        intent = store.payment_intents[store.sessions[session_id]["payment_intent"]]
        return copy.deepcopy(store.charges[intent["latest_charge"]])


def payout(store: Store, currency: str = "usd") -> dict[str, Any]:
    """Stripe pays the available balance out: every balance transaction not yet in a payout."""
    with store._lock:
        swept = [
            t
            for t in store.balance_transactions.values()
            if t["_payout"] is None and t["currency"] == currency and t["type"] != "payout"
        ]
        payout_id = f"po_test_{secrets.token_hex(8)}"
        amount = sum(t["net"] for t in swept)
        for transaction in swept:
            transaction["_payout"] = payout_id
            transaction["status"] = "available"
        own = balance_transaction(store, -amount, 0, currency, "payout", payout_id)
        own["_payout"] = payout_id
        store.payouts[payout_id] = {
            "id": payout_id,
            "object": "payout",
            "amount": amount,
            "arrival_date": int(time.time()) + 2 * 86400,
            "balance_transaction": own["id"],
            "created": int(time.time()),
            "currency": currency,
            "livemode": False,
            "metadata": {},
            "status": "paid",
        }
        return copy.deepcopy(store.payouts[payout_id])


def dispute(
    store: Store, session_id: str, *, status: str = "needs_response", reason: str = "fraudulent"
) -> dict[str, Any]:
    """The buyer's bank disputes the charge and withdraws its amount (plus Stripe's 15.00 fee)."""
    with store._lock:
        intent = store.payment_intents[store.sessions[session_id]["payment_intent"]]
        charge = store.charges[intent["latest_charge"]]
        dispute_id = f"dp_test_{secrets.token_hex(8)}"
        withdrawal = balance_transaction(
            store, -charge["amount"], 1500, charge["currency"], "adjustment", dispute_id
        )
        store.disputes[dispute_id] = {
            "id": dispute_id,
            "object": "dispute",
            "amount": charge["amount"],
            "balance_transactions": [withdrawal],
            "charge": charge["id"],
            "created": int(time.time()),
            "currency": charge["currency"],
            "livemode": False,
            "metadata": {},
            "payment_intent": intent["id"],
            "reason": reason,
            "status": status,
        }
        return copy.deepcopy(store.disputes[dispute_id])


def close_dispute(store: Store, dispute_id: str, *, won: bool) -> dict[str, Any]:
    """Stripe closes the dispute; a won dispute reinstates the funds."""
    with store._lock:
        found = store.disputes[dispute_id]
        found["status"] = "won" if won else "lost"
        if won:
            found["balance_transactions"].append(
                balance_transaction(
                    store, found["amount"], -1500, found["currency"], "adjustment", dispute_id
                )
            )
        return copy.deepcopy(found)
