"""The fake's Stripe API: one table of routes, each a path pattern, the handler that answers it and the
stripe library's parameter types for the call, and the dispatch every `/v1/` request goes through:

- an API key that is not a test secret key gets 401;
- a POST with an Idempotency-Key is answered once (requests with one key one after the other, like Stripe's),
  and the same key and path get the same answer again, marked `Idempotent-Replayed`;
- the request's parameters are checked against the route's parameter types (an unknown or missing one is
  Stripe's 400 `invalid_request_error`), then the handler answers with the store's lock held;
- an address no route has is Stripe's 404 "Unrecognized request URL".

Handlers live with their resource (sessions, customers, invoices); the objects Stripe only lets the shop
read (payment intents, charges, balance transactions, payouts, refunds, disputes, invoices by id) are
served from the store by `_retrieve` and `_list`.
"""

import copy
import fnmatch
import re
import threading
from collections.abc import Callable
from typing import Any

from stripe.params import (
    _balance_transaction_list_params,
    _balance_transaction_retrieve_params,
    _charge_retrieve_params,
    _customer_create_params,
    _customer_retrieve_params,
    _dispute_list_params,
    _dispute_retrieve_params,
    _event_list_params,
    _event_retrieve_params,
    _invoice_create_params,
    _invoice_finalize_invoice_params,
    _invoice_item_create_params,
    _invoice_list_params,
    _invoice_pay_params,
    _invoice_retrieve_params,
    _invoice_send_invoice_params,
    _invoice_void_invoice_params,
    _payment_intent_retrieve_params,
    _payout_list_params,
    _payout_retrieve_params,
    _refund_create_params,
    _refund_list_params,
    _refund_retrieve_params,
)
from stripe.params.checkout import (
    _session_create_params,
    _session_expire_params,
    _session_list_params,
    _session_retrieve_params,
)
from stripe.params.test_helpers import _customer_fund_cash_balance_params

from stripe_sandbox import credit_notes, customers, invoices, refunds, sessions
from stripe_sandbox.params import decode_form, parameter_problems
from stripe_sandbox.state import Answer, RecordedRequest, Store, error, missing

# A handler answers (store, object id from the path or "", decoded form or query) with the lock held.
Handler = Callable[[Store, str, dict[str, Any]], Answer]


def _retrieve(kind: str) -> Handler:
    def retrieve(store: Store, object_id: str, query: dict[str, Any]) -> Answer:
        found = store._stores()[kind].get(object_id)
        if found is None:
            return missing(kind, object_id)
        return 200, store._expanded(found, query.get("expand") or [])

    return retrieve


def _events(store: Store) -> dict[str, dict[str, Any]]:
    return {event["id"]: event for event in store.events}


def _retrieve_event(store: Store, event_id: str, _: dict[str, Any]) -> Answer:
    found = _events(store).get(event_id)
    return (200, copy.deepcopy(found)) if found is not None else missing("event", event_id)


def _of_type(event: dict[str, Any], query: dict[str, Any]) -> bool:
    """Events' `type` (one name, `*` a wildcard) and `types` (up to 20 names) filters."""
    if "types" in query:
        return event["type"] in query["types"]
    if "type" in query:
        return fnmatch.fnmatchcase(event["type"], query["type"])
    return True


def _list(kind: str, path: str) -> Handler:
    """Stripe's list shape, newest first, filtered by `created[...]`, `payment_intent`/`charge`, `payout`
    and, for events, `type`/`types`."""
    tests = {
        "gte": lambda a, b: a >= b,
        "gt": lambda a, b: a > b,
        "lte": lambda a, b: a <= b,
        "lt": lambda a, b: a < b,
        "eq": lambda a, b: a == b,
    }

    def list_objects(store: Store, _: str, query: dict[str, Any]) -> Answer:
        created = query.get("created") or {}
        if not isinstance(created, dict):
            created = {"eq": created}
        limit = int(query.get("limit") or 10)
        if not 1 <= limit <= 100:
            return 400, error("limit must be between 1 and 100.")
        if "type" in query and "types" in query:
            return 400, error("You may pass either type or types, but not both.")
        objects = _events(store) if kind == "event" else store._stores()[kind]
        items = [
            item
            for item in objects.values()
            if (kind != "event" or _of_type(item, query))
            and all(tests[op](item["created"], int(value)) for op, value in created.items())
            and all(item.get(key) == query[key] for key in ("payment_intent", "charge") if key in query)
            and ("payout" not in query or item.get("_payout") == query["payout"])
        ]
        items.sort(key=lambda item: (-item["created"], item["id"]))
        if query.get("starting_after"):
            ids = [item["id"] for item in items]
            if query["starting_after"] in ids:
                items = items[ids.index(query["starting_after"]) + 1 :]
        expand = [path.removeprefix("data.") for path in query.get("expand") or []]
        page = [store._expanded(item, expand) for item in items[:limit]]
        return 200, {"object": "list", "data": page, "has_more": len(items) > limit, "url": path}

    return list_objects


# (methods, path pattern, handler, parameter types of the stripe library's call). A path the fake reads
# for customers and the invoice list answers any method but POST, as it always has (GET, and DELETE).
POST, GET, READ = ("POST",), ("GET",), ("GET", "DELETE")
ROUTES: list[tuple[tuple[str, ...], str, Handler, type]] = [
    (POST, r"/v1/customers", customers.create_customer, _customer_create_params.CustomerCreateParams),
    (
        POST,
        r"/v1/invoiceitems",
        invoices.create_item,
        _invoice_item_create_params.InvoiceItemCreateParams,
    ),
    (POST, r"/v1/invoices", invoices.create_invoice, _invoice_create_params.InvoiceCreateParams),
    (
        POST,
        r"/v1/invoices/([^/]+)/finalize",
        invoices.finalize,
        _invoice_finalize_invoice_params.InvoiceFinalizeInvoiceParams,
    ),
    (
        POST,
        r"/v1/invoices/([^/]+)/void",
        invoices.void,
        _invoice_void_invoice_params.InvoiceVoidInvoiceParams,
    ),
    (POST, r"/v1/invoices/([^/]+)/pay", invoices.pay, _invoice_pay_params.InvoicePayParams),
    (
        POST,
        r"/v1/invoices/([^/]+)/send",
        invoices.send,
        _invoice_send_invoice_params.InvoiceSendInvoiceParams,
    ),
    (
        POST,
        r"/v1/checkout/sessions/([^/]+)/expire",
        sessions.expire,
        _session_expire_params.SessionExpireParams,
    ),
    (
        POST,
        r"/v1/test_helpers/customers/([^/]+)/fund_cash_balance",
        customers.fund,
        _customer_fund_cash_balance_params.CustomerFundCashBalanceParams,
    ),
    (
        READ,
        r"/v1/customers/([^/]+)",
        customers.retrieve_customer,
        _customer_retrieve_params.CustomerRetrieveParams,
    ),
    (READ, r"/v1/invoices", invoices.list_invoices, _invoice_list_params.InvoiceListParams),
    (POST, r"/v1/checkout/sessions", sessions.create, _session_create_params.SessionCreateParams),
    (
        GET,
        r"/v1/checkout/sessions",
        _list("checkout.session", "/v1/checkout/sessions"),
        _session_list_params.SessionListParams,
    ),
    (
        GET,
        r"/v1/checkout/sessions/([^/]+)",
        _retrieve("checkout.session"),
        _session_retrieve_params.SessionRetrieveParams,
    ),
    (
        GET,
        r"/v1/payment_intents/([^/]+)",
        _retrieve("payment_intent"),
        _payment_intent_retrieve_params.PaymentIntentRetrieveParams,
    ),
    (GET, r"/v1/charges/([^/]+)", _retrieve("charge"), _charge_retrieve_params.ChargeRetrieveParams),
    (
        GET,
        r"/v1/balance_transactions/([^/]+)",
        _retrieve("balance_transaction"),
        _balance_transaction_retrieve_params.BalanceTransactionRetrieveParams,
    ),
    (
        GET,
        r"/v1/balance_transactions",
        _list("balance_transaction", "/v1/balance_transactions"),
        _balance_transaction_list_params.BalanceTransactionListParams,
    ),
    (GET, r"/v1/payouts", _list("payout", "/v1/payouts"), _payout_list_params.PayoutListParams),
    (GET, r"/v1/payouts/([^/]+)", _retrieve("payout"), _payout_retrieve_params.PayoutRetrieveParams),
    (GET, r"/v1/invoices/([^/]+)", _retrieve("invoice"), _invoice_retrieve_params.InvoiceRetrieveParams),
    (POST, r"/v1/refunds", refunds.create_refund, _refund_create_params.RefundCreateParams),
    (GET, r"/v1/refunds", _list("refund", "/v1/refunds"), _refund_list_params.RefundListParams),
    (GET, r"/v1/refunds/([^/]+)", _retrieve("refund"), _refund_retrieve_params.RefundRetrieveParams),
    (GET, r"/v1/disputes", _list("dispute", "/v1/disputes"), _dispute_list_params.DisputeListParams),
    (GET, r"/v1/disputes/([^/]+)", _retrieve("dispute"), _dispute_retrieve_params.DisputeRetrieveParams),
    *credit_notes.ROUTES,
    (GET, r"/v1/events", _list("event", "/v1/events"), _event_list_params.EventListParams),
    (GET, r"/v1/events/([^/]+)", _retrieve_event, _event_retrieve_params.EventRetrieveParams),
]


def route(method: str, path: str) -> tuple[Handler, str, type] | None:
    """The handler for a request, the object id in its path ("" when none) and its parameter types."""
    for methods, pattern, handler, params_type in ROUTES:
        if method in methods and (match := re.fullmatch(pattern, path)):
            return handler, (match.group(1) if match.groups() else ""), params_type
    return None


def answer(store: Store, request: RecordedRequest) -> tuple[int, dict[str, Any], dict[str, str]]:
    """Status, JSON body and extra headers for an API request."""
    if not (request.header("Authorization") or "").startswith("Bearer sk_test_"):
        return 401, error("Invalid API Key provided."), {}
    key = request.header("Idempotency-Key")
    if request.method != "POST" or not key:
        return _answer_once(store, request, None)
    with store._lock:
        key_lock = store._key_locks.setdefault(key, threading.Lock())
    with key_lock:
        return _answer_once(store, request, key)


def _answer_once(
    store: Store, request: RecordedRequest, key: str | None
) -> tuple[int, dict[str, Any], dict[str, str]]:
    if request.method == "POST" and key:
        with store._lock:
            replay = store._replays.get((key, request.path))
        if replay is not None:
            return replay[0], replay[1], {"Idempotent-Replayed": "true"}
    status, body = _dispatch(store, request)
    if request.method == "POST" and key and status < 500:
        with store._lock:
            store._replays[(key, request.path)] = (status, body)
    return status, body, {}


def _dispatch(store: Store, request: RecordedRequest) -> Answer:
    found = route(request.method, request.path)
    if found is None:
        return 404, error(f"Unrecognized request URL ({request.method}: {request.path}).")
    handler, object_id, params_type = found
    body_or_query = request.body if request.method == "POST" else request.query
    problems = parameter_problems(body_or_query, params_type)
    if problems:
        return 400, error(problems[0], code="parameter_unknown")
    params = request.form if request.method == "POST" else _decoded(request.query)
    with store._lock:
        return handler(store, object_id, params)


def _decoded(query: str) -> dict[str, Any]:
    return decode_form(query) if query else {}
