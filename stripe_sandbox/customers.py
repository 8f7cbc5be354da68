"""Customers (the payers of invoices on terms) and their cash balance, which bank transfers fund.

    POST /v1/customers                                     create
    GET  /v1/customers/<id>                                retrieve
    POST /v1/test_helpers/customers/<id>/fund_cash_balance a bank transfer arrives

The handlers answer an API request whose parameters api.py has checked, and run with the lock held. A
funded cash balance pays the customer's open invoices in full, oldest first (Stripe never part-pays an
invoice from the balance); what is left stays on the balance.
"""

import re
import secrets
import time
from typing import Any

from stripe_sandbox.invoices import mark_paid
from stripe_sandbox.state import Answer, Store, error, missing, public

# Tax ID formats Stripe checks when a customer is created with `tax_id_data` (the types the shop sends most);
# a value that does not fit its type is refused with Stripe's 400 `tax_id_invalid`, as Stripe does.
TAX_ID_FORMATS = {
    "eu_vat": re.compile(r"[A-Z]{2}[0-9A-Z+*]{2,13}"),
    "gb_vat": re.compile(r"GB[0-9]{9}([0-9]{3})?"),
    "us_ein": re.compile(r"[0-9]{2}-?[0-9]{7}"),
}


def create_customer(store: Store, _: str, form: dict[str, Any]) -> Answer:
    for tax_id in form.get("tax_id_data") or []:
        pattern = TAX_ID_FORMATS.get(tax_id.get("type"))
        if pattern is not None and not pattern.fullmatch(str(tax_id.get("value", ""))):
            return 400, error(f"Invalid value for {tax_id['type']}.", code="tax_id_invalid")
    customer_id = f"cus_test_{secrets.token_hex(7)}"
    store.customers[customer_id] = {
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
    return 200, public(store.customers[customer_id])


def retrieve_customer(store: Store, customer_id: str, _: dict[str, Any]) -> Answer:
    customer = store.customers.get(customer_id)
    if customer is None:
        return missing("customer", customer_id)
    shown = public(customer)
    shown["cash_balance"] = {"object": "cash_balance", "available": dict(customer["_cash"])}
    return 200, shown


def fund(store: Store, customer_id: str, form: dict[str, Any]) -> Answer:
    """A bank transfer of `form["amount"]` reaches the customer's cash balance and pays what it can."""
    customer = store.customers.get(customer_id)
    if customer is None:
        return missing("customer", customer_id)
    currency = form["currency"].lower()
    amount = int(form["amount"])
    if amount <= 0:
        return 400, error("amount must be positive.")
    customer["_cash"][currency] = customer["_cash"].get(currency, 0) + amount
    open_invoices = sorted(
        (
            i
            for i in store.invoices.values()
            # An invoice made for a Checkout Session has no customer: never one of this payer's.
            if i.get("customer") == customer_id and i["status"] == "open" and i["currency"] == currency
        ),
        key=lambda i: i["created"],
    )
    for invoice in open_invoices:
        if invoice["amount_remaining"] <= customer["_cash"][currency]:
            customer["_cash"][currency] -= invoice["amount_remaining"]
            mark_paid(store, invoice, "customer_balance")
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
    store.emit_locked("customer_cash_balance_transaction.created", transaction)
    return 200, transaction


def fund_cash_balance(store: Store, customer_id: str, amount: int, currency: str = "usd") -> dict[str, Any]:
    """A bank transfer reaches the customer's cash balance (what the test helper endpoint does)."""
    with store._lock:
        return fund(store, customer_id, {"amount": amount, "currency": currency})[1]
