"""Bring an order in line with what Stripe says now: payments, refunds and disputes as dated records.

Every function takes Stripe objects as plain dicts fetched from Stripe's API (never an event's snapshot),
locks the order row, writes or updates the money records keyed by their Stripe ids, derives the order's
status and totals from them, writes the history and enqueues follow-up tasks in the same transaction. Run
them in any order, any number of times: the end state is the same.

One module per job: checkout.payments (Checkout Sessions), checkout.refunds (refunds and disputes),
checkout.invoices, checkout.status (derived status and what it sets off); order lookups in
checkout.selectors. This module is the entry point stripe_sync, reconcile and the success page call.
"""

from checkout.invoices import converge_invoice
from checkout.payments import converge_session
from checkout.refunds import converge_dispute, converge_refund
from checkout.request_invoices import converge_request_invoice, handle_cash_balance_event

__all__ = [
    "converge_dispute",
    "converge_invoice",
    "converge_refund",
    "converge_request_invoice",
    "converge_session",
    "handle_cash_balance_event",
]
