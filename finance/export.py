"""The order export: one row per order line, the order's columns repeated, streamed as CSV.

The admin export page, the admin action and `manage.py export_orders` all call `csv_stream()`; none of
them builds rows or CSV text on its own. Rows come from one query over order lines joined to their order,
read through `.iterator(chunk_size=...)` (a server-side cursor on PostgreSQL), so memory stays flat and
the number of queries does not depend on the number of orders.
"""

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F, FilteredRelation, Q, QuerySet

from catalog.models import Product
from catalog.money import ZERO_DECIMAL_CURRENCIES, decimal_text
from checkout.models import Order, OrderLine, Payment
from finance.reports import day_start

CHUNK_SIZE = 2000
BOM = "\ufeff"

# OWASP "CSV injection": a cell starting with one of these is read as a formula by Excel and Sheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
ZERO = dt.timedelta(0)


@dataclass(frozen=True)
class ExportFilter:
    """Which orders to export. Dates are UTC days: `since` is included, `until` is not."""

    since: dt.date | None = None
    until: dt.date | None = None
    status: str = ""
    product: Product | None = None
    currency: str = ""
    orders: QuerySet[Order] | None = field(default=None, compare=False)


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
    if filters.currency:
        orders = orders.filter(currency=filters.currency)
    return OrderLine.objects.filter(order__in=orders.order_by().values("pk")).order_by(
        F("order__paid_at").asc(nulls_last=True), "order__created_at", "order_id", "id"
    )


def neutralise(value: str) -> str:
    """Prefix a would-be formula with an apostrophe so spreadsheets show it as text."""
    if value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def format_timestamp(moment: dt.datetime | None) -> str:
    """`2026-01-05T09:30:00Z`, in UTC."""
    if moment is None:
        return ""
    if moment.utcoffset() != ZERO:
        moment = moment.astimezone(dt.UTC)
    # Written out rather than strftime: this runs for every row of a 200,000-row export.
    return (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T"
        f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}Z"
    )


def text(value: str | None, _currency: str) -> str:
    return neutralise(value or "")


def money(value: int | None, currency: str) -> str:
    """Decimal units of the row's currency; blank when unknown (a fee not fetched yet)."""
    return "" if value is None else decimal_text(value, currency)


def number(value: int, _currency: str) -> str:
    return str(value)


def timestamp(value: dt.datetime | None, _currency: str) -> str:
    return format_timestamp(value)


def yes_no(value: bool, _currency: str) -> str:
    return "yes" if value else "no"


@dataclass(frozen=True)
class Column:
    """One CSV column: its stable name, the value it reads (a field path on OrderLine or an annotation),
    and how that value is written. Text cells hold what buyers, staff and Stripe typed, so they are
    neutralised; number cells are made here from integers and cannot start a formula."""

    name: str
    source: str
    write: Callable[[Any, str], str]


# Documented in the README. Append new columns at the end; never rename, reorder or change one's meaning.
COLUMNS = [
    Column("order_reference", "order__reference", text),
    Column("paid_at", "order__paid_at", timestamp),
    Column("status", "order__status", text),
    Column("buyer_email", "order__email", text),
    Column("buyer_name", "order__buyer_name", text),
    Column("product_sku", "product_slug", text),
    Column("product_name", "product_name", text),
    Column("quantity", "quantity", number),
    Column("unit_price", "unit_price_cents", money),
    Column("line_amount", "amount_cents", money),
    Column("order_discount", "order__discount_cents", money),
    Column("order_tax", "order__tax_cents", money),
    Column("order_total", "order__total_cents", money),
    Column("amount_refunded", "order__amount_refunded_cents", money),
    Column("currency", "order__currency", text),
    Column("stripe_checkout_session_id", "order__stripe_session_id", text),
    Column("stripe_payment_intent_id", "order__stripe_payment_intent_id", text),
    Column("stripe_fee", "paid__fee_cents", money),
    Column("net_after_fee", "paid__net_cents", money),
    Column("needs_review", "order__needs_review", yes_no),
    Column("invoice_number", "order__invoice_number", text),
    Column("invoice_pdf_url", "order__invoice_pdf_url", text),
    Column("company_name", "order__company_name", text),
    Column("tax_ids", "order__tax_ids", text),
    Column("billing_country", "order__billing_country", text),
    Column("po_number", "order__po_number", text),
    Column("bundle_credit", "adjustment_cents", money),
    Column("bundle_credit_reason", "adjustment_label", text),
]
HEADER = [column.name for column in COLUMNS]
SOURCES = [column.source for column in COLUMNS]
CURRENCY = SOURCES.index("order__currency")
WRITERS = [column.write for column in COLUMNS]


def received_payment() -> FilteredRelation:
    """The order's received payment (one Checkout Session, so at most one), joined once: a LEFT JOIN, not
    a subquery per row. Made per query: Django keeps state on a FilteredRelation once used."""
    return FilteredRelation("order__payments", condition=Q(order__payments__status=Payment.Status.SUCCEEDED))


# The same writers, applied column group by column group: a cell costs a few bytecodes instead of two
# function calls, which is most of an export's time (see scripts/bench_export.py). Each writer above stays
# the definition of what its cells hold; line_row's results are tested against them.
TEXT = [i for i, column in enumerate(COLUMNS) if column.write is text]
MONEY = [i for i, column in enumerate(COLUMNS) if column.write is money]
OTHER = [(i, column.write) for i, column in enumerate(COLUMNS) if column.write not in (text, money)]
TRIGGER_STARTS = frozenset(FORMULA_TRIGGERS)


def line_row(values: tuple) -> list[str]:
    """One CSV row from an order line's values, read as a plain tuple in SOURCES order (no model objects:
    building 200,000 of them costs more than writing the CSV)."""
    currency = values[CURRENCY]
    row = list(values)
    for i in TEXT:
        cell = row[i]
        if not cell:
            row[i] = ""
        elif cell[0] in TRIGGER_STARTS:
            row[i] = "'" + cell
    if currency.upper() in ZERO_DECIMAL_CURRENCIES:
        for i in MONEY:
            row[i] = "" if row[i] is None else str(row[i])
    else:
        for i in MONEY:
            cents = row[i]
            if cents is None:
                row[i] = ""
            elif cents == 0:
                row[i] = "0.00"
            elif cents > 0:
                row[i] = f"{cents // 100}.{cents % 100:02d}"
            else:
                row[i] = decimal_text(cents, currency)
    for i, write in OTHER:
        row[i] = write(row[i], currency)
    return row


def iter_rows(lines: QuerySet[OrderLine], chunk_size: int = CHUNK_SIZE) -> Iterator[list[str]]:
    """The header, then one row per order line, read through a server-side cursor in chunks.

    The cursor is read inside a transaction: every row comes from the same snapshot, and PostgreSQL
    streams the result instead of first copying all of it aside, as it must for a cursor that outlives
    its transaction (`WITH HOLD`, which Django uses in autocommit mode). Read-only, so nothing is held
    but the snapshot; a client that disconnects closes the generator and ends the transaction.
    """
    yield HEADER
    rows = lines.annotate(paid=received_payment()).values_list(*SOURCES)
    with transaction.atomic(using=lines.db):
        for values in rows.iterator(chunk_size=chunk_size):
            yield line_row(values)


ROWS_PER_PIECE = 500


def iter_csv(rows: Iterable[list[str]], bom: bool = False) -> Iterator[str]:
    """RFC 4180 CSV text (quoted where needed, CRLF line ends) in pieces of ROWS_PER_PIECE rows, each
    written by one `writerows` call (a call per row cost a sizeable share of an export's time)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if bom:
        buffer.write(BOM)
    batch: list[list[str]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= ROWS_PER_PIECE:
            writer.writerows(batch)
            batch.clear()
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    writer.writerows(batch)
    if buffer.tell():
        yield buffer.getvalue()


def csv_stream(filters: ExportFilter, bom: bool = False, chunk_size: int = CHUNK_SIZE) -> Iterator[str]:
    """The whole export as CSV text, lazily: nothing is read from the database until it is iterated."""
    return iter_csv(iter_rows(export_lines(filters), chunk_size=chunk_size), bom=bom)


def period_filename(kind: str, since: dt.date | None, until: dt.date | None, *extra: str) -> str:
    """`orders-from-2026-01-01-before-2026-02-01-paid.csv`: what a download holds, in its name."""
    parts = [kind]
    if since:
        parts.append(f"from-{since.isoformat()}")
    if until:
        parts.append(f"before-{until.isoformat()}")
    return "-".join([*parts, *(part for part in extra if part)]) + ".csv"


def filename(filters: ExportFilter) -> str:
    return period_filename(
        "orders",
        filters.since,
        filters.until,
        filters.status,
        filters.product.slug if filters.product else "",
        filters.currency.lower(),
    )
