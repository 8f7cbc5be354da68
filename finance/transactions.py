"""The transactions export: one row per money movement, on the date it happened.

Movements: a payment received (+ amount), Stripe's fee on it (- fee), a refund (- amount), a dispute's
withdrawal (- amount) and reinstatement (+ amount). Each carries its Stripe ids and, once Stripe has paid
it out, the payout id, so a payout's rows add up to the payout (Stripe's own dispute fees excepted: they
are not recorded here and show as a difference on the payouts page).
"""

import datetime as dt
import heapq
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import QuerySet

from catalog.money import decimal_text
from checkout.fulfilment import COUNTED_REFUND_STATUSES
from checkout.models import Dispute, Payment, PayoutLine, Refund
from finance.export import format_timestamp, iter_csv, neutralise, period_filename
from finance.reports import day_start

CHUNK_SIZE = 2000
HEADER = [
    "date",
    "type",
    "order_reference",
    "amount",
    "currency",
    "stripe_payment_intent_id",
    "stripe_charge_id",
    "stripe_refund_id",
    "stripe_dispute_id",
    "stripe_balance_transaction_id",
    "stripe_payout_id",
]


@dataclass(frozen=True)
class TransactionFilter:
    """UTC days on the movement's own date: `since` included, `until` not; blank means no limit."""

    since: dt.date | None = None
    until: dt.date | None = None
    currency: str = ""


@dataclass(frozen=True, order=True)
class Movement:
    date: dt.datetime
    type: str
    order_reference: str
    amount_cents: int
    currency: str
    payment_intent_id: str = ""
    charge_id: str = ""
    refund_id: str = ""
    dispute_id: str = ""
    balance_transaction_id: str = ""


def _dated(queryset: QuerySet, date_field: str, filters: TransactionFilter) -> QuerySet:
    queryset = queryset.filter(**{f"{date_field}__isnull": False})
    if filters.since:
        queryset = queryset.filter(**{f"{date_field}__gte": day_start(filters.since)})
    if filters.until:
        queryset = queryset.filter(**{f"{date_field}__lt": day_start(filters.until)})
    if filters.currency:
        queryset = queryset.filter(currency=filters.currency)
    return queryset.select_related("order").order_by(date_field, "pk")


def _payments(filters: TransactionFilter) -> Iterator[Movement]:
    for payment in _dated(
        Payment.objects.filter(status=Payment.Status.SUCCEEDED), "paid_at", filters
    ).iterator(chunk_size=CHUNK_SIZE):
        common = {
            "order_reference": payment.order.reference or "",
            "currency": payment.currency,
            "payment_intent_id": payment.stripe_payment_intent_id,
            "charge_id": payment.stripe_charge_id,
            "balance_transaction_id": payment.stripe_balance_transaction_id,
        }
        yield Movement(payment.paid_at, "payment", amount_cents=payment.amount_cents, **common)
        if payment.fee_cents:
            yield Movement(payment.paid_at, "stripe_fee", amount_cents=-payment.fee_cents, **common)


def _refunds(filters: TransactionFilter) -> Iterator[Movement]:
    refunds = Refund.objects.filter(status__in=COUNTED_REFUND_STATUSES)
    for refund in _dated(refunds, "created", filters).iterator(chunk_size=CHUNK_SIZE):
        yield Movement(
            refund.created,
            "refund",
            refund.order.reference or "",
            -refund.amount_cents,
            refund.currency,
            charge_id=refund.stripe_charge_id,
            refund_id=refund.stripe_refund_id,
            balance_transaction_id=refund.stripe_balance_transaction_id,
        )


def _disputes(filters: TransactionFilter, date_field: str, kind: str, sign: int) -> Iterator[Movement]:
    transaction_field = "withdrawal" if sign < 0 else "reinstatement"
    for dispute in _dated(Dispute.objects.all(), date_field, filters).iterator(chunk_size=CHUNK_SIZE):
        yield Movement(
            getattr(dispute, date_field),
            kind,
            dispute.order.reference or "",
            sign * dispute.amount_cents,
            dispute.currency,
            charge_id=dispute.stripe_charge_id,
            dispute_id=dispute.stripe_dispute_id,
            balance_transaction_id=getattr(dispute, f"{transaction_field}_balance_transaction_id"),
        )


def movements(filters: TransactionFilter) -> Iterator[Movement]:
    """Every movement in date order (each source is read in date order and merged)."""
    return heapq.merge(
        _payments(filters),
        _refunds(filters),
        _disputes(filters, "funds_withdrawn_at", "dispute_withdrawal", -1),
        _disputes(filters, "funds_reinstated_at", "dispute_reinstatement", 1),
    )


def rows(filters: TransactionFilter) -> Iterator[list[str]]:
    yield HEADER
    payouts = dict(
        PayoutLine.objects.values_list("stripe_balance_transaction_id", "payout__stripe_payout_id")
    )
    for movement in movements(filters):
        # A payment and its fee share one balance transaction: Stripe pays out its net.
        payout = payouts.get(movement.balance_transaction_id, "") if movement.balance_transaction_id else ""
        yield [
            format_timestamp(movement.date),
            movement.type,
            neutralise(movement.order_reference),
            decimal_text(movement.amount_cents, movement.currency),
            neutralise(movement.currency),
            neutralise(movement.payment_intent_id),
            neutralise(movement.charge_id),
            neutralise(movement.refund_id),
            neutralise(movement.dispute_id),
            neutralise(movement.balance_transaction_id),
            neutralise(payout),
        ]


def csv_stream(filters: TransactionFilter, bom: bool = False) -> Iterator[str]:
    return iter_csv(rows(filters), bom=bom)


def filename(filters: TransactionFilter) -> str:
    return period_filename("transactions", filters.since, filters.until, filters.currency.lower())
