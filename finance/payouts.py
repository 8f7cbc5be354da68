"""Payouts matched against our money records: each payout's balance transactions, what we recorded for
them, and the difference (which should be zero). Payouts are in the settlement currency; a payment or refund
Stripe converted is matched by what it settled as (payments.settlement), to the cent, with the order's own
amount and the rate beside it."""

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from catalog.money import decimal_text, format_money
from finance.columns import RATE
from finance.csv_text import format_timestamp, iter_csv, neutralise
from payments.models import Dispute, Payment, Payout, PayoutLine, Refund


@dataclass(frozen=True)
class Recorded:
    """Our figure for one balance transaction, in the currency we hold it in, with the order's own amount
    and Stripe's rate when the money was converted."""

    cents: int
    currency: str
    order_reference: str = ""
    original_cents: int | None = None  # in the order's currency, when Stripe converted it
    original_currency: str = ""
    exchange_rate: Decimal | None = None


@dataclass
class PayoutRow:
    line: PayoutLine
    recorded_cents: int | None  # None: no record of ours for this balance transaction (in its currency)
    order_reference: str = ""
    recorded: Recorded | None = None

    @property
    def original_text(self) -> str:
        """The order's own amount and Stripe's rate ("£100 at 1.25"), when the money was converted."""
        found = self.recorded
        if found is None or found.original_cents is None or found.exchange_rate is None:
            return ""
        rate = RATE.write(found.exchange_rate, found.currency)
        return f"{format_money(found.original_cents, found.original_currency)} at {rate}"


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


def _settled(record: Payment | Refund, sign: int, fee: int) -> Recorded:
    """A payment's (sign 1, less its fee) or refund's (sign -1) figure in the settlement currency once its
    balance transaction is read; before that (or for an old record) in its own currency."""
    reference = record.order.reference or ""
    if record.settlement_cents is None or not record.settlement_currency:
        return Recorded(sign * record.amount_cents - fee, record.currency.upper(), reference)
    converted = record.settlement_currency.upper() != record.currency.upper()
    return Recorded(
        sign * record.settlement_cents - fee,
        record.settlement_currency.upper(),
        reference,
        original_cents=sign * record.amount_cents if converted else None,
        original_currency=record.currency.upper() if converted else "",
        exchange_rate=record.exchange_rate if converted else None,
    )


def _dispute_settled(dispute: Dispute, sign: int, settled: int | None) -> Recorded:
    """A dispute's withdrawal (sign -1) or reinstatement, as its balance transaction settled it (Stripe's
    dispute fee apart), else in the dispute's own currency."""
    reference, currency = dispute.order.reference or "", dispute.currency.upper()
    if settled is None or not dispute.settlement_currency:
        return Recorded(sign * dispute.amount_cents, currency, reference)
    converted = dispute.settlement_currency.upper() != currency
    return Recorded(
        settled,
        dispute.settlement_currency.upper(),
        reference,
        original_cents=sign * dispute.amount_cents if converted else None,
        original_currency=currency if converted else "",
        exchange_rate=dispute.exchange_rate if converted else None,
    )


def _recorded_by_transaction() -> dict[str, Recorded]:
    """Our net figure for each balance transaction we know, with its order reference. A payment's fee is
    in the settlement currency, as Stripe charges it."""
    recorded: dict[str, Recorded] = {}
    for payment in (
        Payment.objects.filter(status=Payment.Status.SUCCEEDED)
        .exclude(stripe_balance_transaction_id="")
        .select_related("order")
    ):
        recorded[payment.stripe_balance_transaction_id] = _settled(payment, 1, payment.fee_cents or 0)
    for refund in (
        Refund.objects.filter(status__in=Refund.COUNTED_STATUSES)
        .exclude(stripe_balance_transaction_id="")
        .select_related("order")
    ):
        recorded[refund.stripe_balance_transaction_id] = _settled(refund, -1, 0)
    for dispute in Dispute.objects.select_related("order"):
        for transaction_id, sign, settled in (
            (dispute.withdrawal_balance_transaction_id, -1, dispute.withdrawal_settlement_cents),
            (dispute.reinstatement_balance_transaction_id, 1, dispute.reinstatement_settlement_cents),
        ):
            if transaction_id:
                recorded[transaction_id] = _dispute_settled(dispute, sign, settled)
    return recorded


def payout_summaries(limit: int = 50) -> list[PayoutSummary]:
    """Each payout's lines beside our figures. A figure held in another currency than the line's (money
    whose conversion we have not read yet) is no match: it shows as not recorded, and as a difference."""
    recorded = _recorded_by_transaction()
    summaries = []
    for payout in Payout.objects.prefetch_related("lines")[:limit]:
        summary = PayoutSummary(payout=payout)
        for line in payout.lines.all():
            found = recorded.get(line.stripe_balance_transaction_id)
            matches = found is not None and found.currency == line.currency.upper()
            summary.rows.append(
                PayoutRow(
                    line=line,
                    recorded_cents=found.cents if matches else None,
                    order_reference=found.order_reference if found else "",
                    recorded=found,
                )
            )
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
    # Converted money: the order's own amount and currency, and Stripe's rate (empty when not converted).
    "order_amount",
    "order_currency",
    "exchange_rate",
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
                *_original_cells(row.recorded),
            ]


def _original_cells(found: Recorded | None) -> list[str]:
    if found is None or found.original_cents is None:
        return ["", "", ""]
    return [
        decimal_text(found.original_cents, found.original_currency),
        neutralise(found.original_currency),
        RATE.write(found.exchange_rate, found.currency),
    ]


def csv_stream(limit: int = 50, bom: bool = False) -> Iterator[str]:
    """The payouts page's payouts (the latest `limit`) as CSV: blank `our_records` where we hold none."""
    return iter_csv(iter_rows(payout_summaries(limit)), bom=bom)


def filename(now: dt.datetime | None = None) -> str:
    return f"payouts-{(now or timezone.now()).astimezone(dt.UTC).date().isoformat()}.csv"
