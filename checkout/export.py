"""The order export: one row per order line, the order's columns repeated, streamed as CSV.

The admin export page, the admin action and `manage.py export_orders` all call `csv_stream()`; none of
them builds rows or CSV text on its own. Rows come from one query over order lines joined to their order,
read through `.iterator(chunk_size=...)` (a server-side cursor on PostgreSQL), so memory stays flat and
the number of queries does not depend on the number of orders.
"""

import csv
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F, QuerySet

from catalog.models import Product
from catalog.money import to_decimal
from checkout.models import Order, OrderLine

CHUNK_SIZE = 2000
# Rows are joined into pieces of roughly this many characters before they are handed to the response,
# so a 200,000-row export is a few thousand writes rather than 200,000.
PIECE_SIZE = 64 * 1024
BOM = "\ufeff"

# Stable column names, documented in the README. Append new columns at the end; never rename one.
HEADER = [
    "order_reference",
    "paid_at",
    "status",
    "buyer_email",
    "buyer_name",
    "product_sku",
    "product_name",
    "quantity",
    "unit_price",
    "line_amount",
    "order_discount",
    "order_tax",
    "order_total",
    "amount_refunded",
    "currency",
    "stripe_checkout_session_id",
    "stripe_payment_intent_id",
]

# OWASP "CSV injection": a cell starting with one of these is read as a formula by Excel and Sheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


@dataclass(frozen=True)
class ExportFilter:
    """Which orders to export. Dates are UTC days: `since` is included, `until` is not."""

    since: dt.date | None = None
    until: dt.date | None = None
    status: str = ""
    product: Product | None = None
    orders: QuerySet[Order] | None = field(default=None, compare=False)


def day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


def export_lines(filters: ExportFilter) -> QuerySet[OrderLine]:
    """The order lines to export, each with its order, oldest payment first (unpaid orders last).

    A product filter selects the orders that contain the product and exports all of their lines, so the
    order totals repeated on each row still reconcile with the lines.
    """
    orders = filters.orders if filters.orders is not None else Order.objects.all()
    if filters.since:
        orders = orders.filter(paid_at__gte=day_start(filters.since))
    if filters.until:
        orders = orders.filter(paid_at__lt=day_start(filters.until))
    if filters.status:
        orders = orders.filter(status=filters.status)
    if filters.product:
        orders = orders.filter(lines__product=filters.product)
    return OrderLine.objects.filter(order__in=orders.order_by().values("pk")).order_by(
        F("order__paid_at").asc(nulls_last=True), "order__created_at", "order_id", "id"
    )


def neutralise(value: str) -> str:
    """Prefix a would-be formula with an apostrophe so spreadsheets show it as text."""
    if value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def format_timestamp(moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# What a row needs, read as plain tuples: one join query and no model instances, which is what keeps the
# export fast (building 200,000 pairs of model objects costs more than writing the CSV).
ROW_FIELDS = (
    "order__reference",
    "order__paid_at",
    "order__status",
    "order__email",
    "order__buyer_name",
    "product_slug",
    "product_name",
    "quantity",
    "unit_price_cents",
    "amount_cents",
    "order__discount_cents",
    "order__tax_cents",
    "order__total_cents",
    "order__amount_refunded_cents",
    "order__currency",
    "order__stripe_session_id",
    "order__stripe_payment_intent_id",
)


def line_row(values: tuple) -> list[str]:
    """One CSV row from the ROW_FIELDS values of an order line.

    Text cells hold what buyers, staff and Stripe typed, so each is neutralised. Number cells are made
    here from non-negative integers (digits and a dot only) and cannot start a formula.
    """
    (
        reference,
        paid_at,
        status,
        email,
        buyer_name,
        slug,
        name,
        quantity,
        unit_price,
        amount,
        discount,
        tax,
        total,
        refunded,
        currency,
        session_id,
        payment_intent_id,
    ) = values
    return [
        neutralise(reference or ""),
        format_timestamp(paid_at),
        neutralise(status),
        neutralise(email),
        neutralise(buyer_name),
        neutralise(slug),
        neutralise(name),
        str(quantity),
        str(to_decimal(unit_price, currency)),
        str(to_decimal(amount, currency)),
        str(to_decimal(discount, currency)),
        str(to_decimal(tax, currency)),
        str(to_decimal(total, currency)),
        str(to_decimal(refunded, currency)),
        neutralise(currency),
        neutralise(session_id or ""),
        neutralise(payment_intent_id),
    ]


def iter_rows(lines: QuerySet[OrderLine], chunk_size: int = CHUNK_SIZE) -> Iterator[list[str]]:
    """The header, then one row per order line, read through a server-side cursor in chunks.

    The cursor is read inside a transaction: every row comes from the same snapshot, and PostgreSQL
    streams the result instead of first copying all of it aside, as it must for a cursor that outlives
    its transaction (`WITH HOLD`, which Django uses in autocommit mode). Read-only, so nothing is held
    but the snapshot; a client that disconnects closes the generator and ends the transaction.
    """
    yield HEADER
    with transaction.atomic(using=lines.db):
        for values in lines.values_list(*ROW_FIELDS).iterator(chunk_size=chunk_size):
            yield line_row(values)


class _Echo:
    """A file-like object whose write() returns what it was given (the Django docs' streaming CSV trick)."""

    def write(self, value: str) -> str:
        return value


def iter_csv(rows: Iterable[list[str]], bom: bool = False) -> Iterator[str]:
    """RFC 4180 CSV text (quoted where needed, CRLF line ends) in pieces of about PIECE_SIZE characters."""
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    piece: list[str] = [BOM] if bom else []
    size = 0
    for row in rows:
        text = writer.writerow(row)
        piece.append(text)
        size += len(text)
        if size >= PIECE_SIZE:
            yield "".join(piece)
            piece, size = [], 0
    if piece:
        yield "".join(piece)


def csv_stream(filters: ExportFilter, bom: bool = False, chunk_size: int = CHUNK_SIZE) -> Iterator[str]:
    """The whole export as CSV text, lazily: nothing is read from the database until it is iterated."""
    return iter_csv(iter_rows(export_lines(filters), chunk_size=chunk_size), bom=bom)


def filename(filters: ExportFilter) -> str:
    parts = ["orders"]
    if filters.since:
        parts.append(f"from-{filters.since.isoformat()}")
    if filters.until:
        parts.append(f"before-{filters.until.isoformat()}")
    if filters.status:
        parts.append(filters.status)
    if filters.product:
        parts.append(filters.product.slug)
    return "-".join(parts) + ".csv"
