"""The tax report a bookkeeper files from (EU OSS and UK VAT return shape): one row per month, buyer
country, currency and Stripe's taxability reason, with the net sales, the tax, the rate they work out to and
the number of orders paid. Read from the tax each order recorded from Stripe Tax (payments.tax_amounts), net
of what was given back, each change in the month (UTC) it happened:

- a sale counts in the month it was paid, under the order's country and taxability reason;
- a refund (pending or succeeded, in the order's currency) takes its amount less its tax part off `net` and
  its tax part (payments.refund_tax) off `tax`, in the month it was made, under the sale's row;
- an invoice correction that added a VAT number after purchase (corrections) moves the sale to reverse
  charge in the month it was issued: its VAT refund takes the whole VAT off the sale's row (a refund whose
  tax part is its amount), the price before VAT leaves that row's `net` and comes into a `reverse_charge`
  row of the same country with no tax.

`orders` counts the orders paid in the month only. Amounts are in currency units (none for zero-decimal
currencies).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth

from catalog.money import decimal_text
from checkout.models import Order
from corrections.models import InvoiceCorrection
from finance.csv_text import iter_csv
from finance.reports import day_start
from payments.models import Refund

HEADER = ["period", "country", "currency", "taxability_reason", "net", "tax", "rate_percent", "orders"]
REVERSE_CHARGE = "reverse_charge"


def rate_percent(tax: int, net: int) -> str:
    """Tax as a percentage of net, two decimals ("19.00"); empty when there is no net to divide by."""
    if net <= 0:
        return ""
    return str((Decimal(tax) * 100 / net).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _within(field: str, since: dt.date | None, until: dt.date | None) -> Q:
    query = Q()
    if since:
        query &= Q(**{f"{field}__gte": day_start(since)})
    if until:
        query &= Q(**{f"{field}__lt": day_start(until)})
    return query


def _month(moment: dt.datetime) -> dt.date:
    return moment.astimezone(dt.UTC).date().replace(day=1)


def _figures(since: dt.date | None, until: dt.date | None) -> dict[tuple, list[int]]:
    """[net, tax, orders] by (month, country, currency, taxability reason)."""
    figures: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
    orders = Order.objects.filter(
        _within("paid_at", since, until), status__in=Order.MONEY_RECEIVED, paid_at__isnull=False
    )
    grouped = (
        orders.annotate(period=TruncMonth("paid_at", tzinfo=dt.UTC))
        .values("period", "billing_country", "currency", "taxability_reason")
        .annotate(tax=Sum("tax_cents"), count=Count("id"), net=Sum(F("total_cents") - F("tax_cents")))
        .order_by()
    )
    for group in grouped:
        key = (
            _month(group["period"]),
            group["billing_country"],
            group["currency"],
            group["taxability_reason"],
        )
        figures[key][0] += group["net"]
        figures[key][1] += group["tax"]
        figures[key][2] += group["count"]
    refunds = Refund.objects.filter(
        _within("created", since, until),
        status__in=Refund.COUNTED_STATUSES,
        currency=F("order__currency"),
        order__paid_at__isnull=False,
    ).values_list(
        "created",
        "order__billing_country",
        "currency",
        "order__taxability_reason",
        "amount_cents",
        "tax_cents",
    )
    for created, country, currency, reason, amount, tax in refunds:
        row = figures[(_month(created), country, currency, reason)]
        row[0] -= amount - tax
        row[1] -= tax
    corrections = InvoiceCorrection.objects.filter(
        _within("issued_at", since, until),
        kind=InvoiceCorrection.Kind.VAT,
        state=InvoiceCorrection.State.ISSUED,
        issued_at__isnull=False,
    ).values_list(
        "issued_at",
        "order__billing_country",
        "order__currency",
        "order__taxability_reason",
        "original_total_cents",
        "vat_cents",
    )
    for issued_at, country, currency, reason, total, vat in corrections:
        moved = (total or 0) - vat
        figures[(_month(issued_at), country, currency, reason)][0] -= moved
        figures[(_month(issued_at), country, currency, REVERSE_CHARGE)][0] += moved
    return figures


def rows(*, since: dt.date | None, until: dt.date | None) -> Iterator[list[str]]:
    yield HEADER
    with transaction.atomic():
        figures = _figures(since, until)
    for key in sorted(figures):
        month, country, currency, reason = key
        net, tax, count = figures[key]
        yield [
            month.strftime("%Y-%m"),
            country,
            currency,
            reason,
            decimal_text(net, currency),
            decimal_text(tax, currency),
            rate_percent(tax, net),
            str(count),
        ]


def csv_stream(*, since: dt.date | None, until: dt.date | None) -> Iterator[str]:
    return iter_csv(rows(since=since, until=until))
