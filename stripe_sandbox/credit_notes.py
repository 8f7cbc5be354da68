"""Credit notes on a finalized invoice, as Stripe issues them:

    POST /v1/credit_notes                 create (`invoice`; `lines`, or `amount`; `refunds`, `out_of_band_amount`,
                                          `credit_amount`, `refund_amount`; `reason`, `memo`, `metadata`)
    GET  /v1/credit_notes, /<id>          list (`invoice`, `customer`, `limit`, `starting_after`), retrieve
    POST /v1/credit_notes/<id>/void       void_credit_note

The total is the lines' (an invoice line by its id and `quantity` or `amount`, a custom line by `unit_amount`
× `quantity`) or `amount`; it may not exceed what is left of the invoice (its total less the credit notes
issued on it). On a paid invoice the refunds linked, `out_of_band_amount`, `credit_amount` and
`refund_amount` must add up to the total, as Stripe asks; on an open one the note lowers what is due. The
tax part is the invoice's tax (`total_taxes`) in proportion. Each note has a PDF link and emits
`credit_note.created` (`credit_note.voided` when voided). Handlers run with the store's lock held.
"""

import secrets
import time
from typing import Any

from stripe.params import (
    _credit_note_create_params,
    _credit_note_list_params,
    _credit_note_retrieve_params,
    _credit_note_void_credit_note_params,
)

from stripe_sandbox.refunds import refund_invoice
from stripe_sandbox.state import Answer, Store, error, missing, page_of, public


def _line_amount(invoice: dict[str, Any], line: dict[str, Any]) -> int | str:
    """The amount one line of the form credits, or Stripe's complaint about it."""
    if line.get("type") == "custom_line_item":
        if "unit_amount" not in line:
            return "A custom line item needs unit_amount."
        return int(line["unit_amount"]) * int(line.get("quantity") or 1)
    lines = {item["id"]: item for item in (invoice.get("lines") or {}).get("data") or []}
    item = lines.get(line.get("invoice_line_item") or "")
    if item is None:
        return f"No such invoice line item: '{line.get('invoice_line_item')}'"
    if "amount" in line:
        return int(line["amount"])
    quantity = int(line.get("quantity") or item.get("quantity") or 1)
    if quantity > int(item.get("quantity") or 1):
        return "The quantity is greater than the invoice line item's."
    return item["amount"] * quantity // int(item.get("quantity") or 1)


def _issued_on(store: Store, invoice_id: str) -> int:
    return sum(
        note["total"]
        for note in store.credit_notes.values()
        if note["invoice"] == invoice_id and note["status"] == "issued"
    )


def _invoice_total(invoice: dict[str, Any]) -> int:
    return int(invoice.get("total") if invoice.get("total") is not None else invoice.get("amount_paid") or 0)


def _tax_part(invoice: dict[str, Any], total: int) -> int:
    tax = sum(int(t.get("amount") or 0) for t in invoice.get("total_taxes") or [])
    invoice_total = _invoice_total(invoice)
    return round(tax * total / invoice_total) if tax and invoice_total else 0


def _refunds(store: Store, form: dict[str, Any], invoice: dict[str, Any]) -> list[dict[str, Any]] | str:
    linked = []
    for item in form.get("refunds") or []:
        refund = store.refunds.get(item.get("refund") or "")
        if refund is None:
            return f"No such refund: '{item.get('refund')}'"
        if refund["currency"] != invoice["currency"]:
            return "The refund's currency must match the invoice's."
        amount = int(item.get("amount_refunded") or refund["amount"])
        already = sum(
            r["amount_refunded"]
            for note in store.credit_notes.values()
            if note["status"] == "issued"
            for r in note["refunds"]
            if r["refund"] == refund["id"]
        )
        if amount + already > refund["amount"]:
            return f"Refund {refund['id']} has only {refund['amount'] - already} left to link."
        linked.append({"refund": refund["id"], "amount_refunded": amount, "type": "refund"})
    return linked


def create_credit_note(store: Store, _: str, form: dict[str, Any]) -> Answer:
    invoice = store.invoices.get(form.get("invoice") or "")
    if invoice is None:
        return missing("invoice", form.get("invoice") or "")
    if invoice["status"] not in ("open", "paid"):
        return 400, error(f"You can only credit an open or paid invoice; this one is {invoice['status']}.")
    lines = []
    for index, line in enumerate(form.get("lines") or []):
        amount = _line_amount(invoice, line)
        if isinstance(amount, str):
            return 400, error(amount, code="parameter_invalid_string")
        lines.append(
            {
                "id": f"cnli_test_{secrets.token_hex(8)}",
                "object": "credit_note_line_item",
                "amount": amount,
                "description": line.get("description"),
                "invoice_line_item": line.get("invoice_line_item"),
                "quantity": int(line.get("quantity") or 1),
                "type": line.get("type"),
                "_index": index,
            }
        )
    if not lines and "amount" not in form:
        return 400, error("One of amount, lines, or shipping_cost must be provided.")
    total = sum(line["amount"] for line in lines) if lines else int(form["amount"])
    left = _invoice_total(invoice) - _issued_on(store, invoice["id"])
    if total <= 0 or total > left:
        return 400, error(
            f"The credit note's total ({total}) must be positive and at most what is left on the invoice "
            f"({left}).",
            code="credit_note_amount_too_large" if total > left else None,
        )
    refunds = _refunds(store, form, invoice)
    if isinstance(refunds, str):
        return 400, error(refunds)
    out_of_band = int(form.get("out_of_band_amount") or 0)
    settled = (
        sum(r["amount_refunded"] for r in refunds)
        + out_of_band
        + int(form.get("credit_amount") or 0)
        + int(form.get("refund_amount") or 0)
    )
    pre_payment = min(total, int(invoice.get("amount_remaining") or 0)) if invoice["status"] == "open" else 0
    if settled != total - pre_payment:
        return 400, error(
            f"The sum of credit amount, refund amount and out of band amount ({settled}) must equal the "
            f"credit note's post-payment amount ({total - pre_payment})."
        )
    if int(form.get("refund_amount") or 0):  # the note itself refunds: a refund on the invoice's payment
        refund = refund_invoice(store, invoice, int(form["refund_amount"]))
        if isinstance(refund, str):
            return 400, error(refund)
        refunds.append({"refund": refund["id"], "amount_refunded": refund["amount"], "type": "refund"})
    note_id = f"cn_test_{secrets.token_hex(8)}"
    count = sum(1 for note in store.credit_notes.values() if note["invoice"] == invoice["id"])
    tax = _tax_part(invoice, total)
    note = {
        "id": note_id,
        "object": "credit_note",
        "amount": total,
        "created": int(time.time()),
        "currency": invoice["currency"],
        "customer": invoice.get("customer"),
        "invoice": invoice["id"],
        "lines": {"object": "list", "data": [public(line) for line in lines], "has_more": False},
        "livemode": False,
        "memo": form.get("memo"),
        "metadata": form.get("metadata") or {},
        "number": f"{invoice.get('number') or invoice['id']}-CN-{count + 1:02d}",
        "out_of_band_amount": out_of_band or None,
        "pdf": f"https://pay.stripe.com/credit_notes/test_{note_id}/pdf",
        "post_payment_amount": total - pre_payment,
        "pre_payment_amount": pre_payment,
        "reason": form.get("reason"),
        "refunds": refunds,
        "status": "issued",
        "subtotal": total - tax,
        "total": total,
        "total_taxes": [{"amount": tax, "tax_behavior": "exclusive", "type": "tax_rate_details"}]
        if tax
        else [],
        "type": "pre_payment" if pre_payment == total else "post_payment" if not pre_payment else "mixed",
        "voided_at": None,
    }
    store.credit_notes[note_id] = note
    if pre_payment:
        invoice["amount_remaining"] -= pre_payment
        invoice["amount_due"] = max(0, int(invoice.get("amount_due") or 0) - pre_payment)
    store.emit_locked("credit_note.created", note)
    return 200, public(note)


def void_credit_note(store: Store, note_id: str, _: dict[str, Any]) -> Answer:
    note = store.credit_notes.get(note_id)
    if note is None:
        return missing("credit_note", note_id)
    if note["status"] != "issued":
        return 400, error("This credit note is already void.")
    note["status"] = "void"
    note["voided_at"] = int(time.time())
    invoice = store.invoices[note["invoice"]]
    if note["pre_payment_amount"]:
        invoice["amount_remaining"] += note["pre_payment_amount"]
        invoice["amount_due"] = int(invoice.get("amount_due") or 0) + note["pre_payment_amount"]
    store.emit_locked("credit_note.voided", note)
    return 200, public(note)


def list_credit_notes(store: Store, _: str, query: dict[str, Any]) -> Answer:
    if not 1 <= int(query.get("limit") or 10) <= 100:
        return 400, error("limit must be between 1 and 100.")
    keys = [key for key in ("invoice", "customer") if key in query]
    items = [n for n in store.credit_notes.values() if all(n.get(key) == query[key] for key in keys)]
    return page_of(items, query, "/v1/credit_notes")


def retrieve_credit_note(store: Store, note_id: str, _: dict[str, Any]) -> Answer:
    note = store.credit_notes.get(note_id)
    return (200, public(note)) if note is not None else missing("credit_note", note_id)


# The routes api.py serves for credit notes: (methods, path pattern, handler, the stripe library's types).
ROUTES = [
    (("POST",), r"/v1/credit_notes", create_credit_note, _credit_note_create_params.CreditNoteCreateParams),
    (
        ("POST",),
        r"/v1/credit_notes/([^/]+)/void",
        void_credit_note,
        _credit_note_void_credit_note_params.CreditNoteVoidCreditNoteParams,
    ),
    (("GET",), r"/v1/credit_notes", list_credit_notes, _credit_note_list_params.CreditNoteListParams),
    (
        ("GET",),
        r"/v1/credit_notes/([^/]+)",
        retrieve_credit_note,
        _credit_note_retrieve_params.CreditNoteRetrieveParams,
    ),
]
