"""The order export: one row per order line, the order's columns repeated, streamed as CSV.

The admin export page, the admin action and `manage.py export_orders` all call `csv_stream()`; none of
them builds rows or CSV text on its own. Rows come from one query over order lines joined to their order,
so the number of queries does not depend on the number of orders, and are streamed, so memory stays flat.

Each column has a cell type (text, money, number, timestamp, yes/no) that says once what its cells hold, in
Python and in SQL. On PostgreSQL the database writes the CSV itself (`COPY (SELECT <cells>) TO STDOUT`,
copy_csv), several times faster than formatting rows in Python; elsewhere (SQLite) rows are read through
`.iterator(chunk_size=...)` and written by Python's csv module. Both give the same bytes.
"""

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connections, transaction
from django.db.models import Expression, F, FilteredRelation, Q, QuerySet, TextField

from catalog.models import Product
from catalog.money import ZERO_DECIMAL_CURRENCIES, decimal_text
from checkout.models import Order, OrderLine
from finance.reports import day_start
from invoicing.models import PaymentRequest
from payments.models import Payment

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


# Both lists as SQL, made from the Python definitions: each trigger is one character, compared by its code
# point (`ascii()` reads a text's first character as one, 0 for an empty text); currency codes are letters.
if any(len(trigger) != 1 for trigger in FORMULA_TRIGGERS):
    raise ValueError("the SQL text cell compares one character: a longer trigger needs another test there")
_SQL_TRIGGER_CODES = ", ".join(str(ord(trigger)) for trigger in FORMULA_TRIGGERS)
if not all(code.isalpha() and code.isascii() for code in ZERO_DECIMAL_CURRENCIES):
    raise ValueError("currency codes are written into SQL as they are: letters only")
_SQL_ZERO_DECIMAL_CURRENCIES = ", ".join(f"'{code}'" for code in sorted(ZERO_DECIMAL_CURRENCIES))


@dataclass(frozen=True)
class CellType:
    """What one kind of cell holds, written once for each way the export is made: `write` in Python (on
    SQLite, row by row) and `sql` in PostgreSQL (inside the COPY that writes the CSV there). SQL NULL is an
    empty cell. tests/finance/test_export.py checks on PostgreSQL that both give the same text."""

    write: Callable[[Any, Any], str]  # (value, the column's second input: the row's currency) -> cell text
    sql: str  # the same, with {value} and {currency} standing for the SQL of each

    def sql_for(self, value: str, currency: str) -> str:
        return self.sql.format(value=value, currency=currency)


TEXT = CellType(
    lambda value, _currency: neutralise(value or ""),
    f"CASE WHEN ascii({{value}}) IN ({_SQL_TRIGGER_CODES}) THEN '''' || {{value}} ELSE NULLIF({{value}}, '') END",
)
# Decimal units of the row's currency (catalog.money.decimal_text); blank when unknown (a fee not fetched yet).
MONEY = CellType(
    lambda value, currency: "" if value is None else decimal_text(value, currency),
    f"CASE WHEN upper({{currency}}) IN ({_SQL_ZERO_DECIMAL_CURRENCIES}) THEN {{value}}::text "
    "ELSE ({value}::numeric / 100)::numeric(20, 2)::text END",
)
NUMBER = CellType(lambda value, _currency: str(value), "{value}::text")
TIMESTAMP = CellType(
    lambda value, _currency: format_timestamp(value),
    """to_char({value} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')""",
)
# How the order was paid: by a payment request's invoice (the received payment is that invoice's), by card
# (any other received payment), or not yet. Its second input is the order's paid time, not the currency.
PAYMENT_WAY = CellType(
    lambda invoice_id, paid_at: "invoice" if invoice_id else ("card" if paid_at else ""),
    "CASE WHEN {value} IS NOT NULL THEN 'invoice' WHEN {currency} IS NOT NULL THEN 'card' END",
)
YES_NO = CellType(
    lambda value, _currency: "yes" if value else "no",
    "CASE WHEN {value} THEN 'yes' ELSE 'no' END",
)


@dataclass(frozen=True)
class Column:
    """One CSV column: its stable name, the value it reads (a field path on OrderLine or an annotation),
    and the type of cell it writes. Text cells hold what buyers, staff and Stripe typed, so they are
    neutralised; number cells are made from integers and cannot start a formula."""

    name: str
    source: str
    cell: CellType
    second: str = "order__currency"  # the cell's second input (another column's source)


# Documented in docs/finance.md (tests/finance/test_export.py checks it). Append new columns at the end; never rename, reorder or change one's meaning.
COLUMNS = [
    Column("order_reference", "order__reference", TEXT),
    Column("paid_at", "order__paid_at", TIMESTAMP),
    Column("status", "order__status", TEXT),
    Column("buyer_email", "order__email", TEXT),
    Column("buyer_name", "order__buyer_name", TEXT),
    Column("product_sku", "product_slug", TEXT),
    Column("product_name", "product_name", TEXT),
    Column("quantity", "quantity", NUMBER),
    Column("unit_price", "unit_price_cents", MONEY),
    Column("line_amount", "amount_cents", MONEY),
    Column("order_discount", "order__discount_cents", MONEY),
    Column("order_tax", "order__tax_cents", MONEY),
    Column("order_total", "order__total_cents", MONEY),
    Column("amount_refunded", "order__amount_refunded_cents", MONEY),
    Column("currency", "order__currency", TEXT),
    Column("stripe_checkout_session_id", "order__stripe_session_id", TEXT),
    Column("stripe_payment_intent_id", "order__stripe_payment_intent_id", TEXT),
    Column("stripe_fee", "paid__fee_cents", MONEY),
    Column("net_after_fee", "paid__net_cents", MONEY),
    Column("needs_review", "order__needs_review", YES_NO),
    Column("invoice_number", "order__invoice_number", TEXT),
    Column("invoice_pdf_url", "order__invoice_pdf_url", TEXT),
    Column("company_name", "order__company_name", TEXT),
    Column("tax_ids", "order__tax_ids", TEXT),
    Column("billing_country", "order__billing_country", TEXT),
    Column("po_number", "order__po_number", TEXT),
    Column("bundle_credit", "adjustment_cents", MONEY),
    Column("bundle_credit_reason", "adjustment_label", TEXT),
    Column("payment_way", "paid__stripe_invoice_id", PAYMENT_WAY, second="order__paid_at"),
    Column("invoice_due_at", "invoice_request__due_at", TIMESTAMP),
]
HEADER = [column.name for column in COLUMNS]
SOURCES = [column.source for column in COLUMNS]
CURRENCY = SOURCES.index("order__currency")
SECOND = [SOURCES.index(column.second) for column in COLUMNS]


def received_payment() -> FilteredRelation:
    """The order's received payment (one Checkout Session, so at most one), joined once: a LEFT JOIN, not
    a subquery per row. Made per query: Django keeps state on a FilteredRelation once used."""
    return FilteredRelation("order__payments", condition=Q(order__payments__status=Payment.Status.SUCCEEDED))


def invoice_request() -> FilteredRelation:
    """The order's payment request whose invoice is issued or paid (at most one: one open request per order,
    and none after payment), joined once, for its due date."""
    return FilteredRelation(
        "order__payment_requests",
        condition=Q(
            order__payment_requests__state__in=[PaymentRequest.State.ISSUED, PaymentRequest.State.PAID]
        ),
    )


def with_joins(lines: QuerySet[OrderLine]) -> QuerySet[OrderLine]:
    return lines.annotate(paid=received_payment(), invoice_request=invoice_request())


def line_row(values: tuple) -> list[str]:
    """One CSV row from an order line's values, read as a plain tuple in SOURCES order (no model objects:
    building 200,000 of them costs more than writing the CSV)."""
    return [
        column.cell.write(value, values[second])
        for column, value, second in zip(COLUMNS, values, SECOND, strict=True)
    ]


def iter_rows(lines: QuerySet[OrderLine], chunk_size: int = CHUNK_SIZE) -> Iterator[list[str]]:
    """The header, then one row per order line, read through a server-side cursor in chunks.

    The cursor is read inside a transaction: every row comes from the same snapshot, and PostgreSQL
    streams the result instead of first copying all of it aside, as it must for a cursor that outlives
    its transaction (`WITH HOLD`, which Django uses in autocommit mode). Read-only, so nothing is held
    but the snapshot; a client that disconnects closes the generator and ends the transaction.
    """
    yield HEADER
    rows = with_joins(lines).values_list(*SOURCES)
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


class Cell(Expression):
    """A column's cell as PostgreSQL writes it: its cell type's SQL around the column and the row's currency."""

    output_field = TextField()

    def __init__(self, column: Column):
        super().__init__()
        self.column = column
        self.source_expressions = [F(column.source), F(column.second)]

    def get_source_expressions(self) -> list:
        return self.source_expressions

    def set_source_expressions(self, expressions: list) -> None:
        self.source_expressions = expressions

    def as_sql(self, compiler, connection):
        (value, value_params), (currency, currency_params) = map(compiler.compile, self.source_expressions)
        if value_params or currency_params:  # plain columns: the template may repeat them, params it cannot
            raise ValueError(f"{self.column.name}: a cell reads plain columns only")
        return self.column.cell.sql_for(value, currency), []


def copy_statement(lines: QuerySet[OrderLine]) -> str:
    """`COPY (SELECT …) TO STDOUT` of the export's rows with every cell already written as text."""
    query = with_joins(lines).values_list(*(Cell(column) for column in COLUMNS))
    sql, params = query.query.sql_with_params()
    return f"COPY ({connections[lines.db].ops.compose_sql(sql, params)}) TO STDOUT WITH (FORMAT csv)"


def copy_csv(lines: QuerySet[OrderLine], bom: bool = False) -> Iterator[str]:
    """The same CSV text as iter_csv(iter_rows(lines)), written by PostgreSQL: COPY's CSV quotes exactly the
    cells Python's csv module quotes (a comma, a double quote, CR or LF inside) and writes NULL as an empty
    cell (every empty text is NULL by then), but ends lines with LF alone. PostgreSQL sends each row as one
    message, so the line end is the message's last byte and becomes CRLF here; a line break inside a quoted
    cell is left as it is, as the csv module leaves it.

    One statement, so one snapshot. Inside a transaction (a savepoint in an outer one) so that a client who
    goes away mid-download, which cancels the COPY, leaves the connection as it found it.
    """
    yield from iter_csv([HEADER], bom=bom)
    statement = copy_statement(lines)
    with (
        transaction.atomic(using=lines.db),
        connections[lines.db].cursor() as cursor,
        cursor.copy(statement) as copy,
    ):
        batch: list = []
        for row in copy:
            batch.append(row[:-1])
            if len(batch) >= ROWS_PER_PIECE:
                batch.append(b"")
                yield b"\r\n".join(batch).decode()
                batch.clear()
        if batch:
            batch.append(b"")
            yield b"\r\n".join(batch).decode()


def csv_stream(filters: ExportFilter, bom: bool = False, chunk_size: int = CHUNK_SIZE) -> Iterator[str]:
    """The whole export as CSV text, lazily: nothing is read from the database until it is iterated.
    PostgreSQL writes the CSV itself (copy_csv, several times faster); other databases go row by row."""
    lines = export_lines(filters)
    if connections[lines.db].vendor == "postgresql":
        return copy_csv(lines, bom=bom)
    return iter_csv(iter_rows(lines, chunk_size=chunk_size), bom=bom)


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
