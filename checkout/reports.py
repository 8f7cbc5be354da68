"""Revenue figures for the finance dashboard, aggregated by the database.

Definitions (also shown on the dashboard):
- An order counts as a sale when it was paid in the period (on `paid_at`, UTC) and is now paid, partially
  refunded or refunded. Pending, processing, failed and expired orders never count.
- Gross sales: what buyers paid, the sum of the order totals (lines - discount + tax).
- Refunds: the amounts refunded on those orders. Orders record how much was refunded but not when, so a
  refund is counted in the month the order was paid.
- Net revenue: gross sales - refunds.
- Average order value: gross sales / orders, rounded to the cent.
- Per product: seats and line amounts (unit price x quantity). Discount, tax and refunds belong to the
  order, not to a product, so the product table adds them as separate rows to reach the same net revenue.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Max, QuerySet, Sum
from django.db.models.functions import TruncMonth

from checkout.models import Order, OrderLine

SALE_STATUSES = (
    Order.Status.PAID,
    Order.Status.PARTIALLY_REFUNDED,
    Order.Status.REFUNDED,
)


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class ReportPeriod:
    """UTC days: `since` is included, `until` is not."""

    since: dt.date
    until: dt.date
    currency: str = "USD"

    def months(self) -> list[dt.date]:
        """The first day of every calendar month the period touches."""
        months, month = [], first_of_month(self.since)
        while month < self.until:
            months.append(month)
            month = add_months(month, 1)
        return months


def default_period(today: dt.date) -> ReportPeriod:
    """The last twelve calendar months, the current one included."""
    until = add_months(first_of_month(today), 1)
    return ReportPeriod(since=add_months(until, -12), until=until)


@dataclass
class Figures:
    orders: int = 0
    seats: int = 0
    gross_cents: int = 0
    discount_cents: int = 0
    tax_cents: int = 0
    refunded_cents: int = 0

    @property
    def net_cents(self) -> int:
        return self.gross_cents - self.refunded_cents

    @property
    def average_order_cents(self) -> int:
        if not self.orders:
            return 0
        average = (Decimal(self.gross_cents) / self.orders).quantize(Decimal(1), ROUND_HALF_UP)
        return int(average)


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
class RevenueReport:
    period: ReportPeriod
    totals: Figures
    months: list[MonthFigures] = field(default_factory=list)
    products: list[ProductFigures] = field(default_factory=list)

    @property
    def line_sales_cents(self) -> int:
        """The product table's total: line amounts before the order-level discount and tax."""
        return sum(product.line_sales_cents for product in self.products)

    @property
    def reconciles(self) -> bool:
        """Whether lines - discounts + tax give the gross sales (false only if a stored total is off)."""
        totals = self.totals
        return self.line_sales_cents - totals.discount_cents + totals.tax_cents == totals.gross_cents


def sales(period: ReportPeriod) -> QuerySet[Order]:
    """The orders that count as sales in the period, in its currency."""
    since = dt.datetime.combine(period.since, dt.time.min, tzinfo=dt.UTC)
    until = dt.datetime.combine(period.until, dt.time.min, tzinfo=dt.UTC)
    return Order.objects.filter(
        status__in=SALE_STATUSES,
        currency=period.currency,
        paid_at__gte=since,
        paid_at__lt=until,
    ).order_by()


def _month_key(value: dt.datetime | dt.date) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def monthly_figures(period: ReportPeriod) -> list[MonthFigures]:
    """One row per calendar month in the period, months without sales included as zeros."""
    orders = sales(period)
    by_month = {
        _month_key(row["month"]): row
        for row in orders.annotate(month=TruncMonth("paid_at", tzinfo=dt.UTC))
        .values("month")
        .annotate(
            orders=Count("id"),
            gross=Sum("total_cents"),
            discount=Sum("discount_cents"),
            tax=Sum("tax_cents"),
            refunded=Sum("amount_refunded_cents"),
        )
    }
    seats_by_month = {
        _month_key(row["month"]): row["seats"]
        for row in OrderLine.objects.filter(order__in=orders.values("pk"))
        .annotate(month=TruncMonth("order__paid_at", tzinfo=dt.UTC))
        .values("month")
        .annotate(seats=Sum("quantity"))
        .order_by()
    }
    rows = []
    for month in period.months():
        row = by_month.get(month, {})
        rows.append(
            MonthFigures(
                month=month,
                orders=row.get("orders", 0),
                seats=seats_by_month.get(month) or 0,
                gross_cents=row.get("gross") or 0,
                discount_cents=row.get("discount") or 0,
                tax_cents=row.get("tax") or 0,
                refunded_cents=row.get("refunded") or 0,
            )
        )
    return rows


def product_figures(period: ReportPeriod) -> list[ProductFigures]:
    """Seats and line amounts per product (by the SKU recorded on the line), best seller first."""
    rows = (
        OrderLine.objects.filter(order__in=sales(period).values("pk"))
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


def revenue_report(period: ReportPeriod) -> RevenueReport:
    months = monthly_figures(period)
    totals = Figures(
        orders=sum(m.orders for m in months),
        seats=sum(m.seats for m in months),
        gross_cents=sum(m.gross_cents for m in months),
        discount_cents=sum(m.discount_cents for m in months),
        tax_cents=sum(m.tax_cents for m in months),
        refunded_cents=sum(m.refunded_cents for m in months),
    )
    return RevenueReport(period=period, totals=totals, months=months, products=product_figures(period))
