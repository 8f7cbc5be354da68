"""The transactions export: one row per money movement, on the date it happened.

Movements: a payment received (+ amount), Stripe's fee on it (- fee), a refund (- amount), a dispute's
withdrawal (- amount) and reinstatement (+ amount). Each carries its Stripe ids and, once Stripe has paid
it out, the payout id, so a payout's rows add up to the payout (Stripe's own dispute fees excepted: they
are not recorded here and show as a difference on the payouts page).

After the credit-note columns come the order's tax facts (the movement's tax part: the order's tax on its
payment, each refund's by payments.refund_tax) and its currency facts: the amount in the order's currency
and what Stripe settled the movement as (amount, currency, exchange rate) from its balance transaction.
Stripe's fee is charged in the settlement currency, so a fee row's `amount` and `currency` are that.
"""

import datetime as dt
import heapq
from collections.abc import Iterator
from dataclasses import dataclass
from operator import itemgetter

from django.db import transaction
from django.db.models import CharField, F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from catalog.money import decimal_text
from finance.credit_note_cells import CREDIT_NOTE_COLUMNS, credit_note_cells, credit_notes
from finance.csv_text import format_timestamp, iter_csv, neutralise, period_filename
from finance.movement_facts import ORDER_FACTS, TAX_AND_CURRENCY_COLUMNS, fact_cells
from finance.reports import day_start
from payments.models import Dispute, Payment, PayoutLine, Refund

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
    # The credit note that answers a refund or a lost dispute's withdrawal (credit_notes), when issued.
    *CREDIT_NOTE_COLUMNS,
    *TAX_AND_CURRENCY_COLUMNS,
]


@dataclass(frozen=True)
class TransactionFilter:
    """UTC days on the movement's own date: `since` included, `until` not; blank means no limit."""

    since: dt.date | None = None
    until: dt.date | None = None
    currency: str = ""


def _dated(queryset: QuerySet, date_field: str, filters: TransactionFilter) -> QuerySet:
    queryset = queryset.filter(**{f"{date_field}__isnull": False})
    if filters.since:
        queryset = queryset.filter(**{f"{date_field}__gte": day_start(filters.since)})
    if filters.until:
        queryset = queryset.filter(**{f"{date_field}__lt": day_start(filters.until)})
    if filters.currency:
        queryset = queryset.filter(currency=filters.currency)
    return queryset.order_by(date_field, "pk")


# A movement, as the merge handles it: a plain tuple (date first, so tuples sort by date), read with
# values_list (no model objects: a 400,000-row export builds none): (date, type, order reference, signed
# amount, currency, (payment intent, charge, refund, dispute, balance transaction), (tax part, order
# currency, country, tax behaviour, taxability reason, tax ids, amount in the order's currency, settled
# amount, settlement currency, exchange rate)).


def _payments(filters: TransactionFilter) -> Iterator[tuple]:
    payments = _dated(Payment.objects.filter(status=Payment.Status.SUCCEEDED), "paid_at", filters)
    for (
        paid_at,
        reference,
        amount,
        fee,
        currency,
        intent,
        charge,
        transaction_id,
        tax,
        settled,
        settled_currency,
        rate,
        *order,
    ) in payments.values_list(
        "paid_at",
        "order__reference",
        "amount_cents",
        "fee_cents",
        "currency",
        "stripe_payment_intent_id",
        "stripe_charge_id",
        "stripe_balance_transaction_id",
        "order__tax_cents",
        "settlement_cents",
        "settlement_currency",
        "exchange_rate",
        *ORDER_FACTS,
    ).iterator(chunk_size=CHUNK_SIZE):
        ids = (intent, charge, "", "", transaction_id)
        yield (
            paid_at,
            "payment",
            reference or "",
            amount,
            currency,
            ids,
            (tax, *order, amount, settled, settled_currency, rate),
        )
        if fee:
            # Stripe takes its fee in the settlement currency; unknown (an old record): the payment's.
            fee_facts = (None, *order, None, -fee if settled_currency else None, settled_currency, None)
            yield (paid_at, "stripe_fee", reference or "", -fee, settled_currency or currency, ids, fee_facts)


def refunded_intent() -> Coalesce:
    """The PaymentIntent a refund gave money back from: the payment of the refund's charge, else the order's
    payment (an order has one), else the intent the order recorded at checkout."""
    by_charge = Payment.objects.filter(
        order=OuterRef("order_id"), stripe_charge_id=OuterRef("stripe_charge_id")
    )
    of_order = Payment.objects.filter(order=OuterRef("order_id"), status=Payment.Status.SUCCEEDED)
    return Coalesce(
        Subquery(by_charge.exclude(stripe_payment_intent_id="").values("stripe_payment_intent_id")[:1]),
        Subquery(of_order.exclude(stripe_payment_intent_id="").values("stripe_payment_intent_id")[:1]),
        F("order__stripe_payment_intent_id"),
        output_field=CharField(),
    )


def _refunds(filters: TransactionFilter) -> Iterator[tuple]:
    refunds = _dated(Refund.objects.filter(status__in=Refund.COUNTED_STATUSES), "created", filters)
    refunds = refunds.annotate(intent=refunded_intent())
    for (
        created,
        reference,
        amount,
        currency,
        intent,
        charge,
        refund_id,
        transaction_id,
        tax,
        settled,
        settled_currency,
        rate,
        *order,
    ) in refunds.values_list(
        "created",
        "order__reference",
        "amount_cents",
        "currency",
        "intent",
        "stripe_charge_id",
        "stripe_refund_id",
        "stripe_balance_transaction_id",
        "tax_cents",
        "settlement_cents",
        "settlement_currency",
        "exchange_rate",
        *ORDER_FACTS,
    ).iterator(chunk_size=CHUNK_SIZE):
        in_order = -amount if currency == order[0] else None  # a refund in another currency is flagged
        yield (
            created,
            "refund",
            reference or "",
            -amount,
            currency,
            (intent or "", charge, refund_id, "", transaction_id),
            (-tax, *order, in_order, None if settled is None else -settled, settled_currency, rate),
        )


def _disputes(filters: TransactionFilter, date_field: str, kind: str, sign: int) -> Iterator[tuple]:
    movement = "withdrawal" if sign < 0 else "reinstatement"
    disputes = _dated(Dispute.objects.all(), date_field, filters)
    for (
        moment,
        reference,
        amount,
        currency,
        charge,
        dispute_id,
        transaction_id,
        settled,
        settled_currency,
        rate,
        *order,
    ) in disputes.values_list(
        date_field,
        "order__reference",
        "amount_cents",
        "currency",
        "stripe_charge_id",
        "stripe_dispute_id",
        f"{movement}_balance_transaction_id",
        f"{movement}_settlement_cents",
        "settlement_currency",
        "exchange_rate",
        *ORDER_FACTS,
    ).iterator(chunk_size=CHUNK_SIZE):
        in_order = sign * amount if currency == order[0] else None
        yield (
            moment,
            kind,
            reference or "",
            sign * amount,
            currency,
            ("", charge, "", dispute_id, transaction_id),
            (None, *order, in_order, settled, settled_currency if settled is not None else "", rate),
        )


def movements(filters: TransactionFilter) -> Iterator[tuple]:
    """Every movement in date order (each source is read in date order and merged on the date)."""
    return heapq.merge(
        _payments(filters),
        _refunds(filters),
        _disputes(filters, "funds_withdrawn_at", "dispute_withdrawal", -1),
        _disputes(filters, "funds_reinstated_at", "dispute_reinstatement", 1),
        key=itemgetter(0),
    )


def rows(filters: TransactionFilter) -> Iterator[list[str]]:
    """The header, then one row per movement. Read inside one transaction, as the order export is: every
    source from the same snapshot, streamed by PostgreSQL's server-side cursors."""
    yield HEADER
    with transaction.atomic():
        payouts = dict(
            PayoutLine.objects.values_list("stripe_balance_transaction_id", "payout__stripe_payout_id")
        )
        notes = credit_notes()
        for date, kind, reference, amount, currency, ids, facts in movements(filters):
            transaction_id = ids[-1]
            # A payment and its fee share one balance transaction: Stripe pays out its net.
            payout = payouts.get(transaction_id, "") if transaction_id else ""
            yield [
                format_timestamp(date),
                kind,
                neutralise(reference),
                decimal_text(amount, currency),
                neutralise(currency),
                *(neutralise(value) for value in ids),
                neutralise(payout),
                *credit_note_cells(notes, kind, ids),
                *fact_cells(facts),
            ]


def csv_stream(filters: TransactionFilter, bom: bool = False) -> Iterator[str]:
    return iter_csv(rows(filters), bom=bom)


def filename(filters: TransactionFilter) -> str:
    return period_filename("transactions", filters.since, filters.until, filters.currency.lower())
