"""Payouts matched against our money records: each payout's balance transactions, what we recorded for
them, and the difference (which should be zero)."""

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.utils import timezone

from catalog.money import decimal_text
from finance.csv_text import format_timestamp, iter_csv, neutralise
from payments.models import Dispute, Payment, Payout, PayoutLine, Refund


@dataclass
class PayoutRow:
    line: PayoutLine
    recorded_cents: int | None  # None: no record of ours for this balance transaction
    order_reference: str = ""


@dataclass
class PayoutSummary:
    payout: Payout
    rows: list[PayoutRow] = field(default_factory=list)

    @property
    def recorded_cents(self) -> int:
        return sum(row.recorded_cents or 0 for row in self.rows)

    @property
    def difference_cents(self) -> int:
        return self.payout.amount_cents - self.recorded_cents


def _recorded_by_transaction() -> dict[str, tuple[int, str]]:
    """Our net figure for each balance transaction we know, with its order reference."""
    recorded: dict[str, tuple[int, str]] = {}
    for payment in (
        Payment.objects.filter(status=Payment.Status.SUCCEEDED)
        .exclude(stripe_balance_transaction_id="")
        .select_related("order")
    ):
        recorded[payment.stripe_balance_transaction_id] = (
            payment.amount_cents - (payment.fee_cents or 0),
            payment.order.reference or "",
        )
    for refund in (
        Refund.objects.filter(status__in=Refund.COUNTED_STATUSES)
        .exclude(stripe_balance_transaction_id="")
        .select_related("order")
    ):
        recorded[refund.stripe_balance_transaction_id] = (-refund.amount_cents, refund.order.reference or "")
    for dispute in Dispute.objects.select_related("order"):
        if dispute.withdrawal_balance_transaction_id:
            recorded[dispute.withdrawal_balance_transaction_id] = (
                -dispute.amount_cents,
                dispute.order.reference or "",
            )
        if dispute.reinstatement_balance_transaction_id:
            recorded[dispute.reinstatement_balance_transaction_id] = (
                dispute.amount_cents,
                dispute.order.reference or "",
            )
    return recorded


def payout_summaries(limit: int = 50) -> list[PayoutSummary]:
    recorded = _recorded_by_transaction()
    summaries = []
    for payout in Payout.objects.prefetch_related("lines")[:limit]:
        summary = PayoutSummary(payout=payout)
        for line in payout.lines.all():
            amount, reference = recorded.get(line.stripe_balance_transaction_id, (None, ""))
            summary.rows.append(PayoutRow(line=line, recorded_cents=amount, order_reference=reference))
        summaries.append(summary)
    return summaries


# The page as a file: one row per balance transaction of each payout, the payout's own columns repeated.
HEADER = [
    "stripe_payout_id",
    "payout_status",
    "payout_arrival_date",
    "payout_amount",
    "currency",
    "transaction_date",
    "transaction_type",
    "order_reference",
    "stripe_source_id",
    "stripe_balance_transaction_id",
    "net_at_stripe",
    "our_records",
]


def iter_rows(summaries: Iterable[PayoutSummary]) -> Iterator[list[str]]:
    yield HEADER
    for summary in summaries:
        payout = summary.payout
        currency = payout.currency.upper()
        for row in summary.rows:
            yield [
                neutralise(payout.stripe_payout_id),
                neutralise(payout.status),
                format_timestamp(payout.arrival_date),
                decimal_text(payout.amount_cents, currency),
                neutralise(currency),
                format_timestamp(row.line.created),
                neutralise(row.line.type),
                neutralise(row.order_reference),
                neutralise(row.line.source_id),
                neutralise(row.line.stripe_balance_transaction_id),
                decimal_text(row.line.net_cents, currency),
                "" if row.recorded_cents is None else decimal_text(row.recorded_cents, currency),
            ]


def csv_stream(limit: int = 50, bom: bool = False) -> Iterator[str]:
    """The payouts page's payouts (the latest `limit`) as CSV: blank `our_records` where we hold none."""
    return iter_csv(iter_rows(payout_summaries(limit)), bom=bom)


def filename(now: dt.datetime | None = None) -> str:
    return f"payouts-{(now or timezone.now()).astimezone(dt.UTC).date().isoformat()}.csv"
