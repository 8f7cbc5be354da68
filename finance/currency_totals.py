"""The dashboard's money by currency: for every currency buyers paid in during the period, what they paid
and were refunded in it, and what that settled as in Stripe's balance (the settlement currency, from each
payment's and refund's balance transaction: payments.settlement), with Stripe's fees; then the totals in
each settlement currency, which is what the payouts to the bank add up to. Disputes are left out here (see
the dashboard's own figures). Money whose balance transaction has not been read yet is counted apart.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Sum

from finance.reports import day_start
from payments.models import Payment, Refund


@dataclass
class CurrencyRow:
    currency: str
    settlement_currency: str  # "" for money whose settlement has not been read from Stripe yet
    payments: int = 0
    gross_cents: int = 0  # in `currency`
    refunded_cents: int = 0  # in `currency`
    settled_gross_cents: int = 0  # the rest in `settlement_currency`
    settled_refunds_cents: int = 0
    fee_cents: int = 0

    @property
    def settled_net_cents(self) -> int:
        return self.settled_gross_cents - self.settled_refunds_cents - self.fee_cents


@dataclass
class SettlementTotal:
    currency: str
    settled_gross_cents: int = 0
    settled_refunds_cents: int = 0
    fee_cents: int = 0

    @property
    def settled_net_cents(self) -> int:
        return self.settled_gross_cents - self.settled_refunds_cents - self.fee_cents


@dataclass
class CurrencyTotals:
    rows: list[CurrencyRow] = field(default_factory=list)
    settlement: list[SettlementTotal] = field(default_factory=list)

    @property
    def unsettled(self) -> list[CurrencyRow]:
        return [row for row in self.rows if not row.settlement_currency]


def currency_totals(since: dt.date, until: dt.date) -> CurrencyTotals:
    start, end = day_start(since), day_start(until)
    paid = (
        Payment.objects.filter(status=Payment.Status.SUCCEEDED, paid_at__gte=start, paid_at__lt=end)
        .values("currency", "settlement_currency")
        .annotate(
            count=Count("id"),
            gross=Sum("amount_cents"),
            settled=Sum("settlement_cents"),
            fees=Sum("fee_cents"),
        )
        .order_by()
    )
    refunded = (
        Refund.objects.filter(status__in=Refund.COUNTED_STATUSES, created__gte=start, created__lt=end)
        .values("currency", "settlement_currency")
        .annotate(amount=Sum("amount_cents"), settled=Sum("settlement_cents"))
        .order_by()
    )
    rows: dict[tuple[str, str], CurrencyRow] = {}
    for group in paid:
        row = rows.setdefault(
            (group["currency"], group["settlement_currency"]),
            CurrencyRow(group["currency"], group["settlement_currency"]),
        )
        row.payments, row.gross_cents = group["count"], group["gross"] or 0
        row.settled_gross_cents, row.fee_cents = group["settled"] or 0, group["fees"] or 0
    for group in refunded:
        row = rows.setdefault(
            (group["currency"], group["settlement_currency"]),
            CurrencyRow(group["currency"], group["settlement_currency"]),
        )
        row.refunded_cents, row.settled_refunds_cents = group["amount"] or 0, group["settled"] or 0
    ordered = sorted(
        rows.values(), key=lambda row: (row.currency, row.settlement_currency == "", row.settlement_currency)
    )
    settled: dict[str, SettlementTotal] = defaultdict(lambda: SettlementTotal(""))
    for row in ordered:
        if row.settlement_currency:
            total = settled[row.settlement_currency]
            total.currency = row.settlement_currency
            total.settled_gross_cents += row.settled_gross_cents
            total.settled_refunds_cents += row.settled_refunds_cents
            total.fee_cents += row.fee_cents
    return CurrencyTotals(rows=ordered, settlement=[settled[code] for code in sorted(settled)])
