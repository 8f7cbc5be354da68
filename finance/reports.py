"""Revenue by the date money moved, aggregated by the database from payments' money records.

Definitions (also shown on the dashboard), for one currency and a half-open range of UTC days:
- Gross: payments received in the period (`Payment.paid_at`), whatever happened to the order later.
- Refunds: refunds made in the period (`Refund.created`; pending and succeeded count, failed do not),
  whenever the order was paid. A November refund of an October sale lands in November; October stays closed.
- Disputes: funds withdrawn by a dispute in the period, less funds reinstated in the period.
- Stripe fees: the fees of the period's payments (from their balance transactions; blank until fetched),
  those Stripe took in the period's currency: a fee on converted money is in the settlement currency.
- Net: gross - refunds - disputes - fees.
- Orders and seats: orders paid in the period that are not fully refunded now, and their seats.
- Average order value: what the orders counted above paid / their number.
- Processing: orders whose delayed payment has not arrived yet, created in the period; shown apart, never
  counted as revenue.
- Per product: seats and line amounts of the period's paid orders that are not fully refunded.
- Bundle credits: what buyers completing the Bundle did not pay for parts they owned, on the period's
  payments. A discount: already outside gross, shown so finance sees it.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DateTimeField, Max, Min, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from checkout.models import Order, OrderLine
from payments.models import Dispute, Payment, Refund

MAX_PERIOD_YEARS = 10


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def day_start(day: dt.date) -> dt.datetime:
    """00:00 UTC on `day`: every period in finance is a half-open range of UTC days."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


@dataclass(frozen=True)
class ReportPeriod:
    """UTC days: `since` is included, `until` is not."""

    since: dt.date
    until: dt.date
    currency: str = "USD"

    @property
    def start(self) -> dt.datetime:
        return day_start(self.since)

    @property
    def end(self) -> dt.datetime:
        return day_start(self.until)

    def months(self) -> list[dt.date]:
        """The first day of every calendar month the period touches."""
        months, month = [], first_of_month(self.since)
        while month < self.until:
            months.append(month)
            month = add_months(month, 1)
        return months


def money_span(currency: str = "USD") -> tuple[dt.date | None, dt.date | None]:
    """The days of the first and the latest money movement (a payment received or a refund made) in
    `currency`, or (None, None) before any."""
    moments = [
        moment
        for records, field_name in ((payments(), "paid_at"), (refunds(), "created"))
        for moment in records.filter(currency=currency).aggregate(Min(field_name), Max(field_name)).values()
        if moment
    ]
    days = [moment.astimezone(dt.UTC).date() for moment in moments]
    return (min(days), max(days)) if days else (None, None)


def default_period(today: dt.date, first_money: dt.date | None = None, last_money: dt.date | None = None):
    """At most the last twelve calendar months, the current one included, but never opening on months
    before the first money moved; when nothing moved in them, the twelve months up to the latest that has
    money; before any money at all, the current month alone."""
    until = add_months(first_of_month(today), 1)
    if first_money is None or last_money is None:
        return ReportPeriod(since=first_of_month(today), until=until)
    if first_of_month(last_money) < add_months(until, -12):
        until = add_months(first_of_month(last_money), 1)
    return ReportPeriod(since=max(add_months(until, -12), first_of_month(first_money)), until=until)


@dataclass
class Figures:
    payments: int = 0
    orders: int = 0
    seats: int = 0
    gross_cents: int = 0
    refunded_cents: int = 0
    disputed_cents: int = 0
    fee_cents: int = 0
    kept_gross_cents: int = 0  # what the counted orders (`orders`) paid in the period

    @property
    def net_cents(self) -> int:
        return self.gross_cents - self.refunded_cents - self.disputed_cents - self.fee_cents

    @property
    def average_order_cents(self) -> int:
        if not self.orders:
            return 0
        return int((Decimal(self.kept_gross_cents) / self.orders).quantize(Decimal(1), ROUND_HALF_UP))


@dataclass
class MonthFigures(Figures):
    month: dt.date = dt.date.min


@dataclass
class ProductFigures:
    slug: str
    name: str
    orders: int
    seats: int
    line_sales_cents: int


@dataclass
class Processing:
    orders: int = 0
    amount_cents: int = 0


@dataclass
class RevenueReport:
    period: ReportPeriod
    totals: Figures
    months: list[MonthFigures] = field(default_factory=list)
    products: list[ProductFigures] = field(default_factory=list)
    processing: Processing = field(default_factory=Processing)
    credits_cents: int = 0  # Bundle completion credits on the period's payments: discounts, not revenue

    @property
    def line_sales_cents(self) -> int:
        return sum(product.line_sales_cents for product in self.products)


def payments(period: ReportPeriod | None = None) -> QuerySet[Payment]:
    """Money received (in the period's currency and days; every payment without a period)."""
    received = Payment.objects.filter(status=Payment.Status.SUCCEEDED).order_by()
    if period is None:
        return received
    return received.filter(currency=period.currency, paid_at__gte=period.start, paid_at__lt=period.end)


def refunds(period: ReportPeriod | None = None) -> QuerySet[Refund]:
    """Refunds made that count (in the period's currency and days; every one without a period)."""
    made = Refund.objects.filter(status__in=Refund.COUNTED_STATUSES).order_by()
    if period is None:
        return made
    return made.filter(currency=period.currency, created__gte=period.start, created__lt=period.end)


def kept_orders(period: ReportPeriod) -> QuerySet[Order]:
    """Orders paid in the period and not fully refunded (now)."""
    return (
        Order.objects.filter(pk__in=payments(period).values("order_id"))
        .exclude(status=Order.Status.REFUNDED)
        .order_by()
    )


def _by_month(queryset: QuerySet, date_field: str, **aggregates) -> dict[dt.date, dict]:
    rows = (
        queryset.annotate(month=TruncMonth(date_field, tzinfo=dt.UTC, output_field=DateTimeField()))
        .values("month")
        .annotate(**aggregates)
        .order_by()
    )
    return {row["month"].date(): row for row in rows}


def _dispute_movements(period: ReportPeriod) -> dict[dt.date, int]:
    """Per month: funds withdrawn by disputes minus funds reinstated, each on its own date."""
    disputes = Dispute.objects.filter(currency=period.currency).order_by()
    movements: dict[dt.date, int] = {}
    for date_field, sign in (("funds_withdrawn_at", 1), ("funds_reinstated_at", -1)):
        in_period = disputes.filter(**{f"{date_field}__gte": period.start, f"{date_field}__lt": period.end})
        for month, row in _by_month(in_period, date_field, amount=Sum("amount_cents")).items():
            movements[month] = movements.get(month, 0) + sign * (row["amount"] or 0)
    return movements


def monthly_figures(period: ReportPeriod) -> list[MonthFigures]:
    """One row per calendar month in the period, months without movements included as zeros."""
    paid = _by_month(
        payments(period),
        "paid_at",
        payments=Count("id"),
        gross=Sum("amount_cents"),
        fees=Sum("fee_cents", filter=Q(settlement_currency__in=(period.currency, ""))),
    )
    refunded = _by_month(refunds(period), "created", amount=Sum("amount_cents"))
    disputed = _dispute_movements(period)
    kept = kept_orders(period).values("pk")
    kept_payments = payments(period).filter(order__in=kept)
    orders = _by_month(
        kept_payments, "paid_at", orders=Count("order", distinct=True), gross=Sum("amount_cents")
    )
    seats = _by_month(
        OrderLine.objects.filter(order__in=kept, order__payments__in=kept_payments),
        "order__payments__paid_at",
        seats=Sum("quantity"),
    )
    rows = []
    for month in period.months():
        rows.append(
            MonthFigures(
                month=month,
                payments=paid.get(month, {}).get("payments", 0),
                orders=orders.get(month, {}).get("orders", 0),
                kept_gross_cents=orders.get(month, {}).get("gross") or 0,
                seats=seats.get(month, {}).get("seats") or 0,
                gross_cents=paid.get(month, {}).get("gross") or 0,
                fee_cents=paid.get(month, {}).get("fees") or 0,
                refunded_cents=refunded.get(month, {}).get("amount") or 0,
                disputed_cents=disputed.get(month, 0),
            )
        )
    return rows


def product_figures(period: ReportPeriod) -> list[ProductFigures]:
    """Seats and line amounts per product (by the SKU recorded on the line), best seller first."""
    rows = (
        OrderLine.objects.filter(order__in=kept_orders(period).values("pk"))
        .values("product_slug")
        .annotate(
            name=Max("product_name"),
            orders=Count("order", distinct=True),
            seats=Sum("quantity"),
            line_sales=Sum("amount_cents"),
        )
        .order_by("-line_sales", "product_slug")
    )
    return [
        ProductFigures(
            slug=row["product_slug"],
            name=row["name"],
            orders=row["orders"],
            seats=row["seats"],
            line_sales_cents=row["line_sales"],
        )
        for row in rows
    ]


def processing(period: ReportPeriod) -> Processing:
    row = Order.objects.filter(
        status=Order.Status.PROCESSING,
        currency=period.currency,
        created_at__gte=period.start,
        created_at__lt=period.end,
    ).aggregate(orders=Count("id"), amount=Sum("total_cents"))
    return Processing(orders=row["orders"], amount_cents=row["amount"] or 0)


def revenue_report(period: ReportPeriod) -> RevenueReport:
    months = monthly_figures(period)
    totals = Figures(
        **{
            name: sum(getattr(month, name) for month in months)
            for name in (
                "payments",
                "orders",
                "seats",
                "gross_cents",
                "refunded_cents",
                "disputed_cents",
                "fee_cents",
                "kept_gross_cents",
            )
        }
    )
    return RevenueReport(
        period=period,
        totals=totals,
        months=months,
        products=product_figures(period),
        processing=processing(period),
        credits_cents=payments(period).aggregate(total=Sum("order__lines__adjustment_cents"))["total"] or 0,
    )
