"""The buyer's side of the server, every address outside `/v1/`:

    GET  /c/pay/<session id>                a session's payment page (hosted.py)
    POST /c/pay/<session id>                pay with a test card (buyer.py); the 3-D Secure card answers
                                            with the authentication step instead
    POST /c/pay/<session id>/authenticate   complete (paid, back to the shop) or fail the 3-D Secure step
    GET  /i/<invoice id>                    an invoice's page (money_pages.py)
    POST /i/<invoice id>/pay, /transfer     pay it by card; a bank transfer (full, or `amount`) arrives
    POST /payments/<intent id>/refund       refund a payment in full (or `amount`), from the overview
    POST /c/expire/<session id>             expire an open session, from the overview (the webhook follows)
    GET  /                                  the overview

and a 404 page for everything else. A GET never changes anything. The HTML is hosted.py's and
money_pages.py's; every page carries the sandbox mark."""

import copy
import re
from typing import Any
from urllib.parse import parse_qsl

from stripe_sandbox import hosted, money_pages
from stripe_sandbox.buyer import NOT_AUTHENTICATED, BuyerDetails, card_for, pay
from stripe_sandbox.customers import fund
from stripe_sandbox.invoices import pay_invoice
from stripe_sandbox.refunds import create_refund
from stripe_sandbox.sessions import expire
from stripe_sandbox.state import Store, public
from stripe_sandbox.tax import PAGE_COUNTRIES
from stripe_sandbox.webhooks import Delivery

Page = tuple[int, str, str | None]  # status, HTML, the address to redirect to (None: no redirect)


def answer(store: Store, method: str, path: str, body: str) -> Page:
    """Status, HTML and the address to redirect to (None: no redirect) for a browser's request."""
    form = dict(parse_qsl(body))
    if path == "/" and method == "GET":
        return 200, overview(store), None
    if match := re.fullmatch(r"/c/pay/(cs_test_\w+)(/authenticate)?", path):
        return _session_page(store, method, match.group(1), bool(match.group(2)), form)
    if match := re.fullmatch(r"/i/(in_test_\w+)(?:/(pay|transfer))?", path):
        return _invoice_page(store, method, match.group(1), match.group(2), form)
    if (match := re.fullmatch(r"/payments/(pi_test_\w+)/refund", path)) and method == "POST":
        return _refund(store, match.group(1), form)
    if (match := re.fullmatch(r"/c/expire/(cs_test_\w+)", path)) and method == "POST":
        with store._lock:
            status, _ = expire(store, match.group(1), {})
        return (303, "", "/") if status == 200 else (404, hosted.not_found_page(), None)
    return 404, hosted.not_found_page(), None


def overview(store: Store, *, message: str = "") -> str:
    with store._lock:
        sessions = [public(s) for s in store.sessions.values()]
        invoices = [public(i) for i in store.invoices.values()]
        charges = [public(c) for c in store.charges.values()]
    deliveries: list[Delivery] = list(store.webhooks.deliveries) if store.webhooks else []
    sections = money_pages.invoices_section(invoices) + money_pages.payments_section(charges, message)
    return hosted.overview_page(sessions, deliveries, store.webhooks.url if store.webhooks else "", sections)


def _session_page(store: Store, method: str, session_id: str, authenticating: bool, form: dict) -> Page:
    with store._lock:
        session = copy.deepcopy(store.sessions.get(session_id))
    if session is None or method not in ("GET", "POST") or (authenticating and method == "GET"):
        return 404, hosted.not_found_page(), None
    if session["status"] != "open":
        return 200, hosted.finished_page(session), None
    if method == "GET":
        with store._lock:
            store.hosted_visits.append(session["id"])
        return 200, hosted.payment_page(session), None
    buyer = BuyerDetails(
        email=form.get("email", "").strip(),
        name=form.get("name", "").strip(),
        business_name=form.get("business_name", "").strip(),
        country=form.get("country", "US") if form.get("country") in PAGE_COUNTRIES else "US",
        vat_number="".join(form.get("vat_number", "").split()).upper()[:20],
    )
    if form.get("preview"):  # "Show the VAT": the same page with the tax for the chosen country, no change
        return 200, hosted.payment_page(session, buyer=buyer), None
    card = card_for(form.get("card", ""))
    if card is None or (authenticating and card.outcome != "authenticate"):
        message = "Choose one of the test cards."
    elif "@" not in buyer.email or not buyer.name:
        message = "Enter your email address and the name on the card."
    elif card.outcome == "authenticate" and not authenticating:
        return 200, hosted.authenticate_page(session, buyer, card.number), None
    elif card.outcome == "authenticate" and form.get("result") != "complete":
        message = NOT_AUTHENTICATED
    else:
        message = pay(store, session["id"], card, buyer)
    if message:
        return 200, hosted.payment_page(session, buyer=buyer, message=message), None
    return 303, "", (session["success_url"] or "").replace("{CHECKOUT_SESSION_ID}", session["id"])


def _invoice_page(store: Store, method: str, invoice_id: str, action: str | None, form: dict) -> Page:
    """Show the invoice; pay it or take a transfer, then back to its page (a refresh repeats nothing)."""
    with store._lock:
        invoice = store.invoices.get(invoice_id)
    if invoice is None or method != ("POST" if action else "GET"):
        return 404, hosted.not_found_page(), None
    message = ""
    if action == "pay":
        try:
            pay_invoice(store, invoice_id)
        except ValueError:
            message = "This invoice cannot be paid now."
    elif action == "transfer":
        message = _transfer(store, invoice_id, form.get("amount", ""))
    if message:
        return 400, _shown_invoice(store, invoice_id, message=message), None
    if action:
        return 303, "", f"/i/{invoice_id}"
    return 200, _shown_invoice(store, invoice_id), None


def _transfer(store: Store, invoice_id: str, typed: str) -> str:
    """A bank transfer for the invoice reaches its payer's cash balance; the problem, if any."""
    with store._lock:
        invoice = store.invoices[invoice_id]
        if invoice["status"] != "open" or not invoice.get("customer"):
            return "Only an open invoice on terms takes a bank transfer."
        amount = money_pages.amount_in_cents(typed) if typed.strip() else invoice["amount_remaining"]
        if amount is None:
            return "Type the amount that arrives, like 120 or 45.50, or leave it empty for all of it."
        status, body = fund(store, invoice["customer"], {"amount": amount, "currency": invoice["currency"]})
        return "" if status == 200 else body["error"]["message"]


def _shown_invoice(store: Store, invoice_id: str, message: str = "") -> str:
    with store._lock:
        invoice: dict[str, Any] = public(store.invoices[invoice_id])
        customer = store.customers.get(invoice.get("customer") or "")
        cash = customer["_cash"].get(invoice["currency"], 0) if customer else 0
    return money_pages.invoice_page(invoice, cash, message=message)


def _refund(store: Store, intent_id: str, form: dict) -> Page:
    """Refund the payment in full (no amount typed) or in part, then back to the overview."""
    typed = form.get("amount", "").strip()
    amount = money_pages.amount_in_cents(typed) if typed else None
    if typed and amount is None:
        return (
            400,
            overview(store, message="Type the amount to refund, like 10 or 4.50, or leave it empty."),
            None,
        )
    params: dict[str, Any] = {"payment_intent": intent_id, "reason": "requested_by_customer"}
    if amount is not None:
        params["amount"] = str(amount)
    with store._lock:
        status, body = create_refund(store, "", params)
    if status != 200:
        return 400, overview(store, message=body["error"]["message"]), None
    return 303, "", "/#payments"
