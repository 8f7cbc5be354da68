"""A small fake of the Stripe API: the test suite's Stripe, and the heart of the local sandbox `make run`
starts when no Stripe key is set (`python -m stripe_sandbox`, which adds webhooks and refuses DEBUG off).

The app talks to it through the real stripe library (settings.STRIPE_API_BASE = fake.url); nothing in the
library is patched. It serves the endpoints the app uses, in Stripe's JSON shapes:

    POST /v1/checkout/sessions          create (honours Idempotency-Key like Stripe: same key, same answer)
    GET  /v1/checkout/sessions/<id>     retrieve (404 resource_missing for an unknown id; `expand[]`)
    GET  /v1/checkout/sessions          list (`created[gte]`, `limit`, `starting_after`)
    GET  /v1/payment_intents/<id>, /v1/charges/<id>, /v1/balance_transactions/<id>
    GET  /v1/refunds, /v1/refunds/<id>, /v1/disputes, /v1/disputes/<id>
    POST /v1/refunds                    create (stripe_sandbox.refunds)
    customers, invoice items, invoices on terms, session expiry, cash balance funding (stripe_sandbox.billing)

and, for the buyer's browser, the payment page a session's `url` opens (`GET /c/pay/<session id>`; its
test card buttons POST back to it: stripe_sandbox/buyer.py) and an overview at `/` (stripe_sandbox/hosted.py).

Every API request is checked against the stripe library's own parameter types (`SessionCreateParams`,
`SessionRetrieveParams`, `RefundListParams` and so on): an unknown parameter or a missing required one gets
Stripe's 400 `invalid_request_error`, so a request the fake accepts is one Stripe itself would accept.

Behind a paid session the fake keeps what Stripe keeps: a PaymentIntent, its Charge and the Charge's balance
transaction (with a fee), and refunds and disputes made with `refund()` and `dispute()`.

Usage:

    fake = FakeStripe().start()            # binds 127.0.0.1 on an ephemeral port; fake.url
    ...                                    # point STRIPE_API_BASE at fake.url, drive the app
    fake.requests[-1].form                 # decoded form body; .header("Idempotency-Key"), .path
    fake.fail_next("500")                  # or "timeout", "card_error"; times=n
    session = fake.complete_session(session_id, email="buyer@example.com")   # the buyer paid
    refund = fake.refund(session_id, amount=500)          # staff refunded in Stripe's dashboard
    dispute = fake.dispute(session_id, status="lost")     # the buyer's bank took the money back
    body = json.dumps(make_event("checkout.session.completed", session)).encode()
    client.post("/stripe/webhook/", body, content_type="application/json",
                HTTP_STRIPE_SIGNATURE=sign_payload(body, webhook_secret))
    fake.stop()

With `webhooks=WebhookSender(url, secret)` the events the payment page causes are also POSTed, signed, to
the app (`fake.events` records them either way). The pytest fixtures live in tests/checkout/conftest.py
(`fake_stripe`, `deliver_event`).

As a standalone API server without webhooks (scripts/bench_pages.sh points a gunicorn at it), printing its
URL on the first line and serving until interrupted or terminated:

    python -m tests.stripe_fake --port 0
"""

import copy
import json
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from stripe.params import (
    _balance_transaction_list_params,
    _balance_transaction_retrieve_params,
    _charge_retrieve_params,
    _dispute_list_params,
    _dispute_retrieve_params,
    _invoice_retrieve_params,
    _payment_intent_retrieve_params,
    _payout_list_params,
    _payout_retrieve_params,
    _refund_list_params,
    _refund_retrieve_params,
)
from stripe.params.checkout import _session_list_params, _session_retrieve_params

from stripe_sandbox import billing, hosted, refunds
from stripe_sandbox.buyer import BuyerDetails, card_for, pay
from stripe_sandbox.events import make_event
from stripe_sandbox.params import decode_form, parameter_problems
from stripe_sandbox.webhooks import Delivery, WebhookSender

FAILURES = ("500", "timeout", "card_error")


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: str
    form: dict[str, Any] = field(default_factory=dict)

    def header(self, name: str) -> str | None:
        """A request header, matched without regard to case."""
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return None


class FakeStripe:
    """A threaded HTTP server on 127.0.0.1 that answers like Stripe's API for Checkout Sessions."""

    def __init__(
        self,
        *,
        timeout_delay: float = 1.0,
        hosted_origin: str = "https://checkout.stripe.com",
        webhooks: WebhookSender | None = None,
        async_delay: float = 5.0,
    ) -> None:
        self.timeout_delay = timeout_delay
        # Where session URLs point. Browser tests and the sandbox pass the fake's own origin ("self") so the
        # browser follows the redirect to the payment page served here (GET /c/pay/<session id>).
        self.hosted_origin = hosted_origin
        # Where the events the payment page causes are sent (None: only recorded in `events`), and how long
        # a 3-D Secure payment takes to succeed after the session completed.
        self.webhooks = webhooks
        self.async_delay = async_delay
        self.events: list[dict[str, Any]] = []
        self.hosted_visits: list[str] = []
        self.requests: list[RecordedRequest] = []
        self.sessions: dict[str, dict[str, Any]] = {}
        self.payment_intents: dict[str, dict[str, Any]] = {}
        self.charges: dict[str, dict[str, Any]] = {}
        self.balance_transactions: dict[str, dict[str, Any]] = {}
        self.refunds: dict[str, dict[str, Any]] = {}
        self.disputes: dict[str, dict[str, Any]] = {}
        self.payouts: dict[str, dict[str, Any]] = {}
        self.invoices: dict[str, dict[str, Any]] = {}
        self.customers: dict[str, dict[str, Any]] = {}
        self._failures: list[str] = []
        self._replays: dict[tuple[str, str], tuple[int, dict[str, Any]]] = {}
        self._lock = threading.Lock()
        # Like Stripe, concurrent requests with one Idempotency-Key are answered one after the other.
        self._key_locks: dict[str, threading.Lock] = {}
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._timers: list[threading.Timer] = []

    # Lifecycle

    def start(self, port: int = 0) -> "FakeStripe":
        fake = self

        class Handler(_Handler):
            stripe = fake

        self._stopping.clear()
        self._server = _QuietServer(("127.0.0.1", port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-stripe", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        with self._lock:
            for timer in self._timers:
                timer.cancel()
        if self.webhooks is not None:
            self.webhooks.stop()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def reset(self) -> None:
        """Forget requests, sessions and pending failures (between tests)."""
        with self._lock:
            self.requests.clear()
            self.hosted_visits.clear()
            self.events.clear()
            for store in self._stores().values():
                store.clear()
            self.sessions.clear()
            self._failures.clear()
            self._replays.clear()

    # Controls

    def fail_next(self, kind: str, times: int = 1) -> None:
        """Make the next `times` requests fail: "500" (api_error), "timeout" (no answer in time) or
        "card_error" (402 card_declined)."""
        if kind not in FAILURES:
            raise ValueError(f"kind must be one of {FAILURES}")
        with self._lock:
            self._failures.extend([kind] * times)

    def emit(self, event_type: str, data_object: dict[str, Any]) -> dict[str, Any]:
        """Record the event Stripe would send now about `data_object`, and send it when webhooks are on."""
        event = make_event(event_type, _public(data_object))
        with self._lock:
            self.events.append(event)
        if self.webhooks is not None:
            self.webhooks.send(event)
        return event

    def emit_locked(self, event_type: str, data_object: dict[str, Any]) -> dict[str, Any]:
        """`emit` for a caller that already holds the lock (stripe_sandbox.billing)."""
        event = make_event(event_type, _public(data_object))
        self.events.append(event)
        if self.webhooks is not None:
            self.webhooks.send(event)
        return event

    def fund_cash_balance(self, customer_id: str, amount: int, currency: str = "usd") -> dict[str, Any]:
        """A bank transfer reaches the customer's cash balance (what the test helper endpoint does)."""
        with self._lock:
            return billing._fund(self, customer_id, {"amount": amount, "currency": currency})[1]

    def mark_uncollectible(self, invoice_id: str) -> dict[str, Any]:
        return billing.mark_uncollectible(self, invoice_id)

    def pay_invoice(self, invoice_id: str) -> dict[str, Any]:
        """The payer pays the hosted invoice page by card."""
        return billing.pay_invoice(self, invoice_id)

    def later(self, delay: float, action: Callable[[], None]) -> None:
        """Run `action` after `delay` seconds, unless the fake stops first."""
        timer = threading.Timer(delay, action)
        timer.daemon = True
        with self._lock:
            self._timers.append(timer)
        timer.start()

    def session_requests(self, method: str = "POST") -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == method and r.path.startswith("/v1/checkout/sessions")]

    def complete_session(
        self,
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
        with self._lock:
            session = self.sessions[session_id]
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
                self.payment_intents[intent_id] = {
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
                self._charge(session)
                self._invoice(session)
            return copy.deepcopy(session)

    def _invoice(self, session: dict[str, Any]) -> None:
        """The invoice Stripe makes after payment when the session asked for one."""
        creation = session.get("_invoice_creation") or {}
        if creation.get("enabled") != "true" or session.get("invoice"):
            return
        data = creation.get("invoice_data") or {}
        invoice_id = f"in_test_{secrets.token_hex(8)}"
        number = f"CPMA{len(self.invoices) + 1:04d}-0001"
        details = session.get("customer_details") or {}
        self.invoices[invoice_id] = {
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
            "hosted_invoice_url": f"https://invoice.stripe.com/i/test_{invoice_id}",
            "invoice_pdf": f"https://pay.stripe.com/invoice/test_{invoice_id}/pdf",
            "livemode": False,
            "metadata": dict(data.get("metadata") or {}),
            "number": number,
            "status": "paid",
        }
        session["invoice"] = invoice_id

    def invoice_for(self, session_id: str) -> dict[str, Any] | None:
        with self._lock:
            invoice_id = self.sessions[session_id].get("invoice")
            return copy.deepcopy(self.invoices[invoice_id]) if invoice_id else None

    def settle_async(self, session_id: str, *, succeeded: bool = True) -> dict[str, Any]:
        """A delayed payment clears (or fails) after the buyer completed Checkout."""
        with self._lock:
            session = self.sessions[session_id]
            intent = self.payment_intents[session["payment_intent"]]
            if succeeded:
                session["payment_status"] = "paid"
                self._charge(session)
                self._invoice(session)
            else:
                intent["status"] = "requires_payment_method"
            return copy.deepcopy(session)

    def expire_session(self, session_id: str) -> dict[str, Any]:
        with self._lock:
            self.sessions[session_id].update(status="expired")
            return copy.deepcopy(self.sessions[session_id])

    def _charge(self, session: dict[str, Any]) -> dict[str, Any]:
        """The Charge (and its balance transaction, fee 2.9% + 30) behind a paid session's PaymentIntent."""
        intent = self.payment_intents[session["payment_intent"]]
        intent["status"] = "succeeded"
        if intent["latest_charge"]:
            return self.charges[intent["latest_charge"]]
        amount = session["amount_total"]
        now = int(time.time())
        fee = round(amount * 0.029) + 30
        charge_id = f"ch_test_{secrets.token_hex(8)}"
        transaction = self._balance_transaction(amount, fee, session["currency"], "charge", charge_id)
        self.charges[charge_id] = {
            "id": charge_id,
            "object": "charge",
            "amount": amount,
            "amount_captured": amount,
            "amount_refunded": 0,
            "balance_transaction": transaction["id"],
            "captured": True,
            "created": now,
            "currency": session["currency"],
            "livemode": False,
            "metadata": dict(intent["metadata"]),
            "paid": True,
            "payment_intent": intent["id"],
            "refunded": False,
            "status": "succeeded",
        }
        intent["latest_charge"] = charge_id
        return self.charges[charge_id]

    def _balance_transaction(
        self, amount: int, fee: int, currency: str, kind: str, source: str | None = None
    ) -> dict[str, Any]:
        transaction_id = f"txn_test_{secrets.token_hex(8)}"
        self.balance_transactions[transaction_id] = {
            "id": transaction_id,
            "object": "balance_transaction",
            "amount": amount,
            "created": int(time.time()),
            "currency": currency,
            "fee": fee,
            "net": amount - fee,
            "source": source,
            "status": "pending",
            "type": kind,
            "_payout": None,
        }
        return self.balance_transactions[transaction_id]

    def payout(self, currency: str = "usd") -> dict[str, Any]:
        """Stripe pays the available balance out: every balance transaction not yet in a payout."""
        with self._lock:
            swept = [
                t
                for t in self.balance_transactions.values()
                if t["_payout"] is None and t["currency"] == currency and t["type"] != "payout"
            ]
            payout_id = f"po_test_{secrets.token_hex(8)}"
            amount = sum(t["net"] for t in swept)
            for transaction in swept:
                transaction["_payout"] = payout_id
                transaction["status"] = "available"
            own = self._balance_transaction(-amount, 0, currency, "payout", payout_id)
            own["_payout"] = payout_id
            self.payouts[payout_id] = {
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
            return copy.deepcopy(self.payouts[payout_id])

    def charge_for(self, session_id: str) -> dict[str, Any]:
        with self._lock:
            intent = self.payment_intents[self.sessions[session_id]["payment_intent"]]
            return copy.deepcopy(self.charges[intent["latest_charge"]])

    def refund(
        self,
        session_id: str,
        *,
        amount: int | None = None,
        status: str = "succeeded",
        reason: str | None = "requested_by_customer",
        created: int | None = None,
    ) -> dict[str, Any]:
        """Staff refund the session's charge (in full unless `amount`); returns the Refund. `session_id` may
        also be a PaymentIntent's id (an invoice's payment)."""
        with self._lock:
            session = self.sessions.get(session_id)
            intent = self.payment_intents[session["payment_intent"] if session else session_id]
            charge = self.charges[intent["latest_charge"]]
            amount = charge["amount"] - charge["amount_refunded"] if amount is None else amount
            refund_id = f"re_test_{secrets.token_hex(8)}"
            transaction = self._balance_transaction(-amount, 0, charge["currency"], "refund", refund_id)
            self.refunds[refund_id] = {
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
            self._refresh_charge(charge)
            return copy.deepcopy(self.refunds[refund_id])

    def update_refund(self, refund_id: str, **fields: Any) -> dict[str, Any]:
        with self._lock:
            refund = self.refunds[refund_id]
            refund.update(fields)
            self._refresh_charge(self.charges[refund["charge"]])
            return copy.deepcopy(refund)

    def _refresh_charge(self, charge: dict[str, Any]) -> None:
        counted = ("pending", "requires_action", "succeeded")
        charge["amount_refunded"] = sum(
            r["amount"]
            for r in self.refunds.values()
            if r["charge"] == charge["id"] and r["status"] in counted
        )
        charge["refunded"] = charge["amount_refunded"] >= charge["amount"]

    def dispute(
        self, session_id: str, *, status: str = "needs_response", reason: str = "fraudulent"
    ) -> dict[str, Any]:
        """The buyer's bank disputes the charge and withdraws its amount (plus Stripe's 15.00 fee)."""
        with self._lock:
            intent = self.payment_intents[self.sessions[session_id]["payment_intent"]]
            charge = self.charges[intent["latest_charge"]]
            dispute_id = f"dp_test_{secrets.token_hex(8)}"
            withdrawal = self._balance_transaction(
                -charge["amount"], 1500, charge["currency"], "adjustment", dispute_id
            )
            self.disputes[dispute_id] = {
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
            return copy.deepcopy(self.disputes[dispute_id])

    def close_dispute(self, dispute_id: str, *, won: bool) -> dict[str, Any]:
        """Stripe closes the dispute; a won dispute reinstates the funds."""
        with self._lock:
            dispute = self.disputes[dispute_id]
            dispute["status"] = "won" if won else "lost"
            if won:
                dispute["balance_transactions"].append(
                    self._balance_transaction(
                        dispute["amount"], -1500, dispute["currency"], "adjustment", dispute_id
                    )
                )
            return copy.deepcopy(dispute)

    def set_session(self, session_id: str, **fields: Any) -> dict[str, Any]:
        with self._lock:
            self.sessions[session_id].update(fields)
            return copy.deepcopy(self.sessions[session_id])

    # Request handling (called from the server's threads)

    def _record(self, request: RecordedRequest) -> str | None:
        with self._lock:
            self.requests.append(request)
            return self._failures.pop(0) if self._failures else None

    def _create_session(self, request: RecordedRequest) -> tuple[int, dict[str, Any]]:
        problems = parameter_problems(request.body)
        if problems:
            return 400, _error("invalid_request_error", problems[0], code="parameter_unknown")
        params = request.form
        if params.get("mode") != "payment":
            return 400, _error("invalid_request_error", "This fake only serves mode=payment.")
        line_items = params.get("line_items") or []
        if not line_items:
            return 400, _error("invalid_request_error", "line_items is required in payment mode.")
        currencies = {item["price_data"]["currency"] for item in line_items}
        if len(currencies) != 1:
            return 400, _error("invalid_request_error", "All line items must share one currency.")
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
            "url": f"{self.url if self.hosted_origin == 'self' else self.hosted_origin}/c/pay/{session_id}",
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
        with self._lock:
            self.sessions[session_id] = session
        return 200, _public(session)

    def _stores(self) -> dict[str, dict[str, dict[str, Any]]]:
        return {
            "checkout.session": self.sessions,
            "payment_intent": self.payment_intents,
            "charge": self.charges,
            "balance_transaction": self.balance_transactions,
            "refund": self.refunds,
            "dispute": self.disputes,
            "payout": self.payouts,
            "invoice": self.invoices,
            "customer": self.customers,
        }

    def _by_id(self, object_id: str) -> dict[str, Any] | None:
        for store in self._stores().values():
            if object_id in store:
                return store[object_id]
        return None

    def _expanded(self, obj: dict[str, Any], paths: list[str]) -> dict[str, Any]:
        """A copy of `obj` with each `expand[]` path (`payment_intent.latest_charge`) replaced by its object."""
        result = _public(obj)
        for path in paths:
            node = result
            for key in path.split("."):
                value = node.get(key)
                if isinstance(value, str) and (found := self._by_id(value)) is not None:
                    node[key] = _public(found)
                    value = node[key]
                if not isinstance(value, dict):
                    break
                node = value
        return result

    def _retrieve(self, kind: str, object_id: str, query: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            found = self._stores()[kind].get(object_id)
            body = self._expanded(found, query.get("expand") or []) if found is not None else None
        if body is None:
            return 404, _error(
                "invalid_request_error", f"No such {kind}: '{object_id}'", code="resource_missing"
            )
        return 200, body

    def _list(self, kind: str, path: str, query: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Stripe's list shape, newest first, filtered by `created[...]` and `payment_intent`/`charge`."""
        created = query.get("created") or {}
        if not isinstance(created, dict):
            created = {"eq": created}
        tests = {
            "gte": lambda a, b: a >= b,
            "gt": lambda a, b: a > b,
            "lte": lambda a, b: a <= b,
            "lt": lambda a, b: a < b,
            "eq": lambda a, b: a == b,
        }
        limit = int(query.get("limit") or 10)
        if not 1 <= limit <= 100:
            return 400, _error("invalid_request_error", "limit must be between 1 and 100.")
        with self._lock:
            items = [
                item
                for item in self._stores()[kind].values()
                if all(tests[op](item["created"], int(value)) for op, value in created.items())
                and all(item.get(key) == query[key] for key in ("payment_intent", "charge") if key in query)
                and ("payout" not in query or item.get("_payout") == query["payout"])
            ]
            items.sort(key=lambda item: (-item["created"], item["id"]))
            if query.get("starting_after"):
                ids = [item["id"] for item in items]
                if query["starting_after"] in ids:
                    items = items[ids.index(query["starting_after"]) + 1 :]
            page = [self._expanded(item, []) for item in items[:limit]]
        return 200, {"object": "list", "data": page, "has_more": len(items) > limit, "url": path}

    def _answer(self, request: RecordedRequest) -> tuple[int, dict[str, Any], dict[str, str]]:
        if not (request.header("Authorization") or "").startswith("Bearer sk_test_"):
            return 401, _error("invalid_request_error", "Invalid API Key provided."), {}
        key = request.header("Idempotency-Key")
        if request.method != "POST" or not key:
            return self._answer_once(request, None)
        with self._lock:
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            return self._answer_once(request, key)

    def _answer_once(
        self, request: RecordedRequest, key: str | None
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        if request.method == "POST" and key:
            with self._lock:
                replay = self._replays.get((key, request.path))
            if replay is not None:
                return replay[0], replay[1], {"Idempotent-Replayed": "true"}
        billed = billing.answer(self, request, request.body if request.method == "POST" else request.query)
        if billed is not None:
            status, body = billed
        elif request.method == "POST" and request.path == "/v1/checkout/sessions":
            status, body = self._create_session(request)
        elif request.method == "POST" and request.path == refunds.PATH:
            status, body = refunds.create(self, request)
        elif request.method == "GET" and (route := _route(request.path)):
            kind, object_id, params_type = route
            query = decode_form(request.query) if request.query else {}
            problems = parameter_problems(request.query, params_type)
            if problems:
                status, body = 400, _error("invalid_request_error", problems[0], code="parameter_unknown")
            elif object_id:
                status, body = self._retrieve(kind, object_id, query)
            else:
                status, body = self._list(kind, request.path, query)
        else:
            status, body = (
                404,
                _error(
                    "invalid_request_error", f"Unrecognized request URL ({request.method}: {request.path})."
                ),
            )
        if request.method == "POST" and key and status < 500:
            with self._lock:
                self._replays[(key, request.path)] = (status, body)
        return status, body, {}


# GET routes: path pattern -> (object kind, parameter types of the retrieve or list call).
_GET_ROUTES = [
    (r"/v1/checkout/sessions", "checkout.session", _session_list_params.SessionListParams),
    (r"/v1/checkout/sessions/([^/]+)", "checkout.session", _session_retrieve_params.SessionRetrieveParams),
    (
        r"/v1/payment_intents/([^/]+)",
        "payment_intent",
        _payment_intent_retrieve_params.PaymentIntentRetrieveParams,
    ),
    (r"/v1/charges/([^/]+)", "charge", _charge_retrieve_params.ChargeRetrieveParams),
    (
        r"/v1/balance_transactions/([^/]+)",
        "balance_transaction",
        _balance_transaction_retrieve_params.BalanceTransactionRetrieveParams,
    ),
    (
        r"/v1/balance_transactions",
        "balance_transaction",
        _balance_transaction_list_params.BalanceTransactionListParams,
    ),
    (r"/v1/payouts", "payout", _payout_list_params.PayoutListParams),
    (r"/v1/payouts/([^/]+)", "payout", _payout_retrieve_params.PayoutRetrieveParams),
    (r"/v1/invoices/([^/]+)", "invoice", _invoice_retrieve_params.InvoiceRetrieveParams),
    (r"/v1/refunds", "refund", _refund_list_params.RefundListParams),
    (r"/v1/refunds/([^/]+)", "refund", _refund_retrieve_params.RefundRetrieveParams),
    (r"/v1/disputes", "dispute", _dispute_list_params.DisputeListParams),
    (r"/v1/disputes/([^/]+)", "dispute", _dispute_retrieve_params.DisputeRetrieveParams),
]


def _route(path: str) -> tuple[str, str, type] | None:
    for pattern, kind, params_type in _GET_ROUTES:
        if match := re.fullmatch(pattern, path):
            return kind, (match.group(1) if match.groups() else ""), params_type
    return None


def _public(session: dict[str, Any]) -> dict[str, Any]:
    return {k: copy.deepcopy(v) for k, v in session.items() if not k.startswith("_")}


def _error(error_type: str, message: str, code: str | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"type": error_type, "message": message}
    if code:
        error["code"] = code
    return {"error": error}


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        """A client that gave up (timeout tests) leaves a broken pipe behind; that is expected."""


class _Handler(BaseHTTPRequestHandler):
    stripe: FakeStripe
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; without TCP_NODELAY, Nagle's algorithm holds the body back
    # until the client's delayed ACK (about 40 ms on Linux), which made every fake call take that long.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output clean."""

    def _page(self, path: str, body: str) -> None:
        """The buyer's side: a session's payment page (GET shows it, POST pays with a test card) and the
        overview at `/`; every other address is a 404 page. All of them carry the sandbox mark."""
        fake = self.stripe
        match = re.fullmatch(r"/c/pay/(cs_test_\w+)", path)
        with fake._lock:
            session = copy.deepcopy(fake.sessions.get(match.group(1))) if match else None
        location = None
        if path == "/" and self.command == "GET":
            with fake._lock:
                sessions = [_public(s) for s in fake.sessions.values()]
            deliveries: list[Delivery] = list(fake.webhooks.deliveries) if fake.webhooks else []
            status, page = (
                200,
                hosted.overview_page(sessions, deliveries, fake.webhooks.url if fake.webhooks else ""),
            )
        elif session is None or self.command not in ("GET", "POST"):
            status, page = 404, hosted.not_found_page()
        elif session["status"] != "open":
            status, page = 200, hosted.finished_page(session)
        elif self.command == "GET":
            with fake._lock:
                fake.hosted_visits.append(session["id"])
            status, page = 200, hosted.payment_page(session)
        else:
            form = dict(parse_qsl(body))
            buyer = BuyerDetails(
                email=form.get("email", "").strip(),
                name=form.get("name", "").strip(),
                business_name=form.get("business_name", "").strip(),
            )
            card = card_for(form.get("card", ""))
            if card is None:
                message = "Choose one of the test cards."
            elif "@" not in buyer.email or not buyer.name:
                message = "Enter your email address and the name on the card."
            else:
                message = pay(fake, session["id"], card, buyer)
            if message:
                status, page = 200, hosted.payment_page(session, buyer=buyer, message=message)
            else:
                status, page = 303, ""
                location = (session["success_url"] or "").replace("{CHECKOUT_SESSION_ID}", session["id"])
        data = page.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        if location:
            self.send_header("Location", location)
        self.end_headers()
        self.wfile.write(data)

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        parts = urlsplit(self.path)
        if not parts.path.startswith("/v1/"):
            self._page(parts.path, body)
            return
        request = RecordedRequest(
            method=self.command,
            path=parts.path,
            query=parts.query,
            headers=dict(self.headers.items()),
            body=body,
            form=decode_form(body) if body else {},
        )
        failure = self.stripe._record(request)
        if failure == "timeout":
            self.stripe._stopping.wait(self.stripe.timeout_delay)
            status, payload, extra = 500, _error("api_error", "Timed out."), {}
        elif failure == "500":
            status, payload, extra = 500, _error("api_error", "Something went wrong on Stripe's end."), {}
        elif failure == "card_error":
            status, payload, extra = (
                402,
                _error("card_error", "Your card was declined.", code="card_declined"),
                {},
            )
        else:
            status, payload, extra = self.stripe._answer(request)
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Request-Id", f"req_{secrets.token_hex(7)}")
            for name, value in extra.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            pass

    do_GET = _handle
    do_POST = _handle
    do_DELETE = _handle


def serve_until_stopped(fake: "FakeStripe") -> None:
    """Keep a started fake serving until SIGTERM or Ctrl-C, then stop it."""
    import signal

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Serve the fake Stripe API on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=0, help="port to bind (0: any free port)")
    args = parser.parse_args(argv)
    fake = FakeStripe().start(port=args.port)
    print(fake.url, flush=True)
    serve_until_stopped(fake)


if __name__ == "__main__":
    main()
