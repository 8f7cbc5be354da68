"""What the fake Stripe keeps, behind one lock: every object by kind, the requests it was sent, the events it
sent, and the failures it was told to play. The resource modules (sessions, payments, refunds, invoices,
customers) change it through the functions they define; the API router (api.py) and the server (server.py,
fake.py) sit above them. This module imports none of them, only the event envelope and webhook delivery.

Objects are Stripe's JSON shapes as dicts; a key starting with "_" is the fake's own bookkeeping, never
shown (`public`).
"""

import copy
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from typing import Any

from stripe_sandbox.events import make_event
from stripe_sandbox.webhooks import WebhookSender

FAILURES = ("500", "timeout", "card_error")

# An answer to an API request: HTTP status and JSON body.
Answer = tuple[int, dict[str, Any]]


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


def public(obj: dict[str, Any]) -> dict[str, Any]:
    """A copy of `obj` as Stripe shows it: without the fake's own "_" keys."""
    return {k: copy.deepcopy(v) for k, v in obj.items() if not k.startswith("_")}


def error(message: str, code: str | None = None, error_type: str = "invalid_request_error") -> dict[str, Any]:
    """Stripe's error body."""
    body: dict[str, Any] = {"type": error_type, "message": message}
    if code:
        body["code"] = code
    return {"error": body}


def page_of(items: list[dict[str, Any]], query: dict[str, Any], url: str) -> Answer:
    """One page of a list, newest first, as Stripe pages it (`limit`, `starting_after`)."""
    items = sorted(items, key=lambda item: (-item["created"], item["id"]))
    limit = int(query.get("limit") or 10)
    ids = [item["id"] for item in items]
    if query.get("starting_after") in ids:
        items = items[ids.index(query["starting_after"]) + 1 :]
    page = [public(item) for item in items[:limit]]
    return 200, {"object": "list", "data": page, "has_more": len(items) > limit, "url": url}


def missing(kind: str, object_id: str) -> Answer:
    return 404, error(f"No such {kind}: '{object_id}'", code="resource_missing")


class Store:
    """The state of one fake Stripe account; FakeStripe (fake.py) is this plus its HTTP server."""

    def __init__(
        self,
        *,
        timeout_delay: float = 1.0,
        hosted_origin: str = "https://checkout.stripe.com",
        webhooks: WebhookSender | None = None,
        invoice_pages: bool = False,
    ) -> None:
        self.timeout_delay = timeout_delay
        # Where session URLs point. Browser tests and the sandbox pass the fake's own origin ("self") so the
        # browser follows the redirect to the payment page served here (GET /c/pay/<session id>).
        self.hosted_origin = hosted_origin
        # Where the events the payment page causes are sent (None: only recorded in `events`).
        self.webhooks = webhooks
        # Whether an invoice's `hosted_invoice_url` is the sandbox's own page for it (`/i/<invoice id>`, what
        # `make run` wants) rather than a Stripe-like https address nothing serves (the tests' default).
        self.invoice_pages = invoice_pages
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
        self.credit_notes: dict[str, dict[str, Any]] = {}
        self._failures: list[str] = []
        self._replays: dict[tuple[str, str], tuple[int, dict[str, Any]]] = {}
        self._lock = threading.Lock()
        # Like Stripe, concurrent requests with one Idempotency-Key are answered one after the other.
        self._key_locks: dict[str, threading.Lock] = {}
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._timers: list[threading.Timer] = []

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
        event = make_event(event_type, public(data_object))
        with self._lock:
            self.events.append(event)
        if self.webhooks is not None:
            self.webhooks.send(event)
        return event

    def emit_locked(self, event_type: str, data_object: dict[str, Any]) -> dict[str, Any]:
        """`emit` for a caller that already holds the lock (the API's handlers)."""
        event = make_event(event_type, public(data_object))
        self.events.append(event)
        if self.webhooks is not None:
            self.webhooks.send(event)
        return event

    def later(self, delay: float, action: Callable[[], None]) -> None:
        """Run `action` after `delay` seconds, unless the fake stops first."""
        timer = threading.Timer(delay, action)
        timer.daemon = True
        with self._lock:
            self._timers.append(timer)
        timer.start()

    def session_requests(self, method: str = "POST") -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == method and r.path.startswith("/v1/checkout/sessions")]

    # Looking objects up (the caller holds the lock)

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
            "credit_note": self.credit_notes,
        }

    def _by_id(self, object_id: str) -> dict[str, Any] | None:
        for store in self._stores().values():
            if object_id in store:
                return store[object_id]
        return None

    def _expanded(self, obj: dict[str, Any], paths: list[str]) -> dict[str, Any]:
        """A copy of `obj` with each `expand[]` path (`payment_intent.latest_charge`) replaced by its object."""
        result = public(obj)
        for path in paths:
            if path == "total_details.breakdown" and "_tax_breakdown" in obj:  # computed, not an object
                result["total_details"]["breakdown"] = copy.deepcopy(obj["_tax_breakdown"])
                continue
            node = result
            for key in path.split("."):
                value = node.get(key)
                if isinstance(value, str) and (found := self._by_id(value)) is not None:
                    node[key] = public(found)
                    value = node[key]
                if not isinstance(value, dict):
                    break
                node = value
        return result

    # Request handling (called from the server's threads)

    def _record(self, request: RecordedRequest) -> str | None:
        """Keep the request; the failure it is to get, if one was asked for."""
        with self._lock:
            self.requests.append(request)
            return self._failures.pop(0) if self._failures else None
