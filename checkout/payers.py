"""What checkout and payments ask of the app that lets someone else pay an order ("My company pays", the
invoicing app): named by settings.PAYMENT_REQUEST_HOOKS, a module with the functions below, so neither
imports the app above it. Without one (None), no order has a payment request and no invoice is a request's.
"""

from collections.abc import Iterator, Mapping
from types import ModuleType
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_module

from checkout.models import Order


def _hooks() -> ModuleType | None:
    return import_module(settings.PAYMENT_REQUEST_HOOKS) if settings.PAYMENT_REQUEST_HOOKS else None


def has_payment_request(order: Order) -> bool:
    """Whether the buyer asked someone else to pay this order (the buyer then stays the order's email)."""
    hooks = _hooks()
    return bool(hooks and hooks.has_payment_request(order))


def has_open_payment_request(order: Order) -> bool:
    """Whether a payment request still waits for money (the order then outlives its Checkout Session)."""
    hooks = _hooks()
    return bool(hooks and hooks.has_open_payment_request(order))


def money_received(order: Order, *, source: str) -> None:
    """The order's money arrived: its open payment request closes. The caller holds the order's row lock."""
    hooks = _hooks()
    if hooks:
        hooks.money_received(order, source=source)


def converge_request_invoice(invoice: Mapping[str, Any], *, source: str) -> Order | None:
    """Converge a payment request's invoice; None when the invoice is not a request's."""
    hooks = _hooks()
    return hooks.converge_request_invoice(invoice, source=source) if hooks else None


def handle_cash_balance_event(data: Mapping[str, Any], *, source: str) -> Order | None:
    """A bank transfer reached a Stripe customer's cash balance."""
    hooks = _hooks()
    return hooks.handle_cash_balance_event(data, source=source) if hooks else None


def reconcile() -> Iterator[str]:
    """The requests' part of reconcile_stripe: one line per change."""
    hooks = _hooks()
    if hooks:
        yield from hooks.reconcile()
