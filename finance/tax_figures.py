"""The dashboard's tax: what was collected by buyer country and month, in the period's currency, and
revenue net of tax. Counted on the day the money moved, like every dashboard figure (finance.reports):

- Tax collected: the tax of the orders whose payment was received in the period (Stripe Tax's figure on the
  order, payments.tax_amounts), less the tax part of the period's refunds (payments.refund_tax), each in its
  own month and under the order's billing country.
- Revenue net of tax: gross − refunds − disputes − tax collected (before Stripe's fees). Disputes carry no
  tax part: a lost dispute's VAT is settled with the tax office by hand.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import DateTimeField, Sum
from django.db.models.functions import TruncMonth

from finance.reports import Figures, ReportPeriod, payments, refunds


@dataclass
class TaxRow:
    month: dt.date
    country: str  # the billing address's ISO code; "" when Stripe had none
    charged_cents: int = 0  # tax on the month's payments
    refunded_cents: int = 0  # the tax part of the month's refunds

    @property
    def collected_cents(self) -> int:
        return self.charged_cents - self.refunded_cents


@dataclass
class TaxSummary:
    rows: list[TaxRow] = field(default_factory=list)
    revenue_net_of_tax_cents: int = 0

    @property
    def charged_cents(self) -> int:
        return sum(row.charged_cents for row in self.rows)

    @property
    def refunded_cents(self) -> int:
        return sum(row.refunded_cents for row in self.rows)

    @property
    def collected_cents(self) -> int:
        return self.charged_cents - self.refunded_cents


def _by_month_and_country(queryset, date_field: str, amount: str) -> dict[tuple[dt.date, str], int]:
    grouped = (
        queryset.annotate(month=TruncMonth(date_field, tzinfo=dt.UTC, output_field=DateTimeField()))
        .values("month", "order__billing_country")
        .annotate(tax=Sum(amount))
        .order_by()
    )
    return {(row["month"].date(), row["order__billing_country"]): row["tax"] or 0 for row in grouped}


def tax_summary(period: ReportPeriod, totals: Figures) -> TaxSummary:
    """Tax by month (oldest first) and country (alphabetical, none last) with anything charged or
    refunded, and revenue net of tax for the dashboard's totals."""
    charged = _by_month_and_country(payments(period), "paid_at", "order__tax_cents")
    refunded = _by_month_and_country(refunds(period), "created", "tax_cents")
    keys = sorted(
        (key for key in {*charged, *refunded} if charged.get(key) or refunded.get(key)),
        key=lambda key: (key[0], key[1] == "", key[1]),
    )
    rows = [
        TaxRow(
            month=month,
            country=country,
            charged_cents=charged.get(key, 0),
            refunded_cents=refunded.get(key, 0),
        )
        for key in keys
        for month, country in [key]
    ]
    summary = TaxSummary(rows=rows)
    summary.revenue_net_of_tax_cents = (
        totals.gross_cents - totals.refunded_cents - totals.disputed_cents - summary.collected_cents
    )
    return summary
