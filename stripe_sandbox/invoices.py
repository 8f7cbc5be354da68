"""Invoices: the one Stripe makes after a paid Checkout Session that asked for it, and invoices on terms
(payment requests) the shop drafts, fills with invoice items, finalizes, sends and voids.

    POST /v1/invoiceitems                                  create (on a draft invoice, or pending)
    POST /v1/invoices                                      create (a draft)
    GET  /v1/invoices, /v1/invoices/<id>                   list (`customer`, `status`), retrieve
    POST /v1/invoices/<id>/finalize, /void, /send, /pay    finalize_invoice, void_invoice, send_invoice, pay

The handlers (`create_invoice` … `list_invoices`) answer an API request whose parameters api.py has checked,
and run with the lock held. Paying an invoice (by card on its hosted page, or from a customer's cash balance:
customers.py) makes a PaymentIntent, its Charge and a balance transaction, and emits `invoice.paid`.
"""

import copy
import secrets
import time
from typing import Any

from stripe_sandbox import tax
from stripe_sandbox.payments import paid_intent
from stripe_sandbox.state import Answer, Store, error, missing, page_of, public


def session_invoice(store: Store, session: dict[str, Any]) -> None:
    """The invoice Stripe makes after payment when the session asked for one (the caller holds the lock)."""
    creation = session.get("_invoice_creation") or {}
    if creation.get("enabled") != "true" or session.get("invoice"):
        return
    data = creation.get("invoice_data") or {}
    invoice_id = f"in_test_{secrets.token_hex(8)}"
    number = f"CPMA{len(store.invoices) + 1:04d}-0001"
    details = session.get("customer_details") or {}
    tax = int((session.get("total_details") or {}).get("amount_tax") or 0)
    store.invoices[invoice_id] = {
        "id": invoice_id,
        "object": "invoice",
        "amount_paid": session["amount_total"],
        "created": int(time.time()),
        "currency": session["currency"],
        "custom_fields": data.get("custom_fields"),
        "customer_name": details.get("business_name") or details.get("name"),
        "customer_tax_ids": details.get("tax_ids") or [],
        "description": data.get("description"),
        "footer": data.get("footer"),
        "hosted_invoice_url": hosted_url(store, invoice_id),
        "invoice_pdf": f"https://pay.stripe.com/invoice/test_{invoice_id}/pdf",
        "lines": {"object": "list", "data": session_lines(session), "has_more": False},
        "livemode": False,
        "metadata": dict(data.get("metadata") or {}),
        "number": number,
        "status": "paid",
        "total": session["amount_total"],
        "total_taxes": [{"amount": tax, "tax_behavior": "exclusive", "type": "tax_rate_details"}]
        if tax
        else [],
    }
    session["invoice"] = invoice_id


def session_lines(session: dict[str, Any]) -> list[dict[str, Any]]:
    """The invoice's lines: one per line item of the session (an id credit notes can name)."""
    return [
        {
            "id": f"il_test_{secrets.token_hex(8)}",
            "object": "line_item",
            "amount": item["unit_amount"] * item["quantity"],
            "currency": session["currency"],
            "description": item["name"],
            "quantity": item["quantity"],
        }
        for item in session.get("_line_items") or []
    ]


def hosted_url(store: Store, invoice_id: str) -> str:
    """The invoice's page: the sandbox's own when it serves invoice pages, else Stripe's address."""
    if store.invoice_pages:
        return f"{store.url}/i/{invoice_id}"
    return f"https://invoice.stripe.com/i/test_{invoice_id}"


def invoice_for(store: Store, session_id: str) -> dict[str, Any] | None:
    """The invoice of a Checkout Session, if it has one."""
    with store._lock:
        invoice_id = store.sessions[session_id].get("invoice")
        return copy.deepcopy(store.invoices[invoice_id]) if invoice_id else None


def create_invoice(store: Store, _: str, form: dict[str, Any]) -> Answer:
    customer = store.customers.get(form.get("customer") or "")
    if customer is None:
        return missing("customer", form.get("customer") or "")
    if form.get("collection_method") == "send_invoice" and not (
        form.get("days_until_due") or form.get("due_date")
    ):
        return 400, error("Invoices with collection_method=send_invoice need days_until_due or due_date.")
    invoice_id = f"in_test_{secrets.token_hex(8)}"
    settings = form.get("payment_settings") or {}
    store.invoices[invoice_id] = {
        "id": invoice_id,
        "object": "invoice",
        "amount_due": 0,
        "amount_paid": 0,
        "amount_remaining": 0,
        "automatic_tax": {
            "enabled": (form.get("automatic_tax") or {}).get("enabled") == "true",
            "liability": None,
            "provider": None,
            "status": None,
        },
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
        "subtotal": 0,
        "total": 0,
        "total_taxes": [],
        "_sent": 0,
    }
    return 200, public(store.invoices[invoice_id])


def create_item(store: Store, _: str, form: dict[str, Any]) -> Answer:
    invoice = store.invoices.get(form.get("invoice") or "")
    if form.get("invoice") and invoice is None:
        return missing("invoice", form["invoice"])
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
        invoice.setdefault("_tax_behaviors", []).append(form.get("tax_behavior") or "exclusive")
        tax.invoice_totals(invoice, store.customers.get(invoice["customer"]))
    return 200, dict(item, object="invoiceitem", invoice=form.get("invoice"))


def finalize(store: Store, invoice_id: str, _: dict[str, Any]) -> Answer:
    invoice = store.invoices.get(invoice_id)
    if invoice is None:
        return missing("invoice", invoice_id)
    if invoice["status"] != "draft":
        return 400, error("This invoice is already finalized.", code="invoice_not_editable")
    now = int(time.time())
    invoice.update(
        status="open",
        number=f"CPMA-T{len(store.invoices):04d}",
        hosted_invoice_url=hosted_url(store, invoice_id),
        invoice_pdf=f"https://pay.stripe.com/invoice/test_{invoice_id}/pdf",
    )
    if invoice["days_until_due"]:
        invoice["due_date"] = now + invoice["days_until_due"] * 86400
    invoice["status_transitions"]["finalized_at"] = now
    store.emit_locked("invoice.finalized", invoice)
    if invoice["amount_due"] == 0:
        mark_paid(store, invoice, None)
    return 200, public(invoice)


def void(store: Store, invoice_id: str, _: dict[str, Any]) -> Answer:
    invoice = store.invoices.get(invoice_id)
    if invoice is None:
        return missing("invoice", invoice_id)
    if invoice["status"] != "open":
        return 400, error(f"You can only void an open invoice; this one is {invoice['status']}.")
    invoice["status"] = "void"
    invoice["status_transitions"]["voided_at"] = int(time.time())
    store.emit_locked("invoice.voided", invoice)
    return 200, public(invoice)


def send(store: Store, invoice_id: str, _: dict[str, Any]) -> Answer:
    invoice = store.invoices.get(invoice_id)
    if invoice is None:
        return missing("invoice", invoice_id)
    if invoice["status"] != "open" or invoice["collection_method"] != "send_invoice":
        return 400, error("Only open invoices with collection_method=send_invoice can be sent.")
    invoice["_sent"] += 1  # in test mode Stripe sends no email
    return 200, public(invoice)


def list_invoices(store: Store, _: str, query: dict[str, Any]) -> Answer:
    keys = [key for key in ("customer", "status") if key in query]
    items = [i for i in store.invoices.values() if all(i.get(key) == query[key] for key in keys)]
    return page_of(items, query, "/v1/invoices")


def pay(store: Store, invoice_id: str, form: dict[str, Any]) -> Answer:
    """POST /v1/invoices/<id>/pay: only `paid_out_of_band=true` here (no money moves: a correction)."""
    invoice = store.invoices.get(invoice_id)
    if invoice is None:
        return missing("invoice", invoice_id)
    if invoice["status"] != "open" or form.get("paid_out_of_band") != "true":
        return 400, error(
            f"This invoice is {invoice['status']}; only an open one is marked paid out of band."
        )
    invoice.update(amount_paid=invoice["amount_remaining"], amount_remaining=0, paid_out_of_band=True)
    invoice.update(
        status="paid", status_transitions={**invoice["status_transitions"], "paid_at": int(time.time())}
    )
    store.emit_locked("invoice.paid", invoice)
    return 200, public(invoice)


def pay_invoice(store: Store, invoice_id: str) -> dict[str, Any]:
    """The payer paid the hosted invoice page by card."""
    with store._lock:
        invoice = store.invoices[invoice_id]
        if invoice["status"] not in ("open", "uncollectible"):  # Stripe takes payment of both
            raise ValueError(f"invoice {invoice_id} is {invoice['status']}")
        mark_paid(store, invoice, "card")
        return public(invoice)


def mark_uncollectible(store: Store, invoice_id: str) -> dict[str, Any]:
    """Staff mark the invoice uncollectible in Stripe's dashboard."""
    with store._lock:
        invoice = store.invoices[invoice_id]
        if invoice["status"] != "open":
            raise ValueError(f"invoice {invoice_id} is {invoice['status']}")
        invoice["status"] = "uncollectible"
        store.emit_locked("invoice.marked_uncollectible", invoice)
        return public(invoice)


def mark_paid(store: Store, invoice: dict[str, Any], method: str | None) -> None:
    """The invoice is paid in full (caller holds the lock): a PaymentIntent, Charge and balance
    transaction when money moved (fee 0.8%, at most 5.00, from a cash balance; 2.9% + 30 by card), then
    `invoice.paid`."""
    now = int(time.time())
    amount = invoice["amount_remaining"]
    if amount:
        fee = min(round(amount * 0.008), 500) if method == "customer_balance" else round(amount * 0.029) + 30
        intent_id = paid_intent(store, amount, invoice["currency"], fee, method, now)
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
    store.emit_locked("invoice.paid", invoice)
