"""The order export: one row per order line, the order's columns repeated, streamed as CSV.

The admin export page, the admin action and `manage.py export_orders` all call `csv_stream()`; none of
them builds rows or CSV text on its own. Rows come from one query over order lines joined to their order,
so the number of queries does not depend on the number of orders, and are streamed, so memory stays flat.

The columns and what their cells hold, in Python and in SQL, are defined once in finance.columns. On
PostgreSQL the database writes the CSV itself (`COPY (SELECT <cells>) TO STDOUT`, copy_csv), several times
faster than formatting rows in Python; elsewhere (SQLite) rows are read through `.iterator(chunk_size=...)`
and written by Python's csv module (finance.csv_text). Both give the same bytes.
"""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import connections, transaction
from django.db.models import (
    BigIntegerField,
    CharField,
    DateTimeField,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from catalog.models import Product
from checkout.models import Order, OrderLine
from corrections.models import InvoiceCorrection
from finance.columns import COLUMNS, HEADER, SOURCES, Cell, line_row
from finance.csv_text import ROWS_PER_PIECE, iter_csv, period_filename
from finance.reports import day_start
from invoicing.models import PaymentRequest
from payments.models import Payment, Refund

CHUNK_SIZE = 2000


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


def latest_refund_at() -> Subquery:
    """When the order's latest succeeded refund was made (Stripe's time), or NULL."""
    refunds = Refund.objects.filter(order=OuterRef("order_id"), status="succeeded").order_by(
        "-created", "-pk"
    )
    return Subquery(refunds.values("created")[:1], output_field=DateTimeField())


def refunded_tax() -> Coalesce:
    """The tax part of the order's counted refunds (pending and succeeded), 0 when none."""
    refunds = (
        Refund.objects.filter(order=OuterRef("order_id"), status__in=Refund.COUNTED_STATUSES)
        .order_by()
        .values("order_id")
        .annotate(tax=Sum("tax_cents"))
        .values("tax")
    )
    return Coalesce(Subquery(refunds), Value(0), output_field=BigIntegerField())


def latest_correction(field_name: str) -> Subquery:
    """A field of the order's latest issued invoice correction (corrections), or NULL when none."""
    corrections = InvoiceCorrection.objects.filter(
        order=OuterRef("order_id"), state=InvoiceCorrection.State.ISSUED
    ).order_by("-issued_at", "-pk")
    return Subquery(corrections.values(field_name)[:1], output_field=CharField())


def with_joins(lines: QuerySet[OrderLine]) -> QuerySet[OrderLine]:
    return lines.annotate(
        paid=received_payment(),
        invoice_request=invoice_request(),
        latest_refund_at=latest_refund_at(),
        refunded_tax=refunded_tax(),
        corrected_invoice=latest_correction("new_invoice_number"),
        corrected_company=latest_correction("company_name"),
        corrected_tax_id=latest_correction("tax_id"),
    )


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


def filename(filters: ExportFilter) -> str:
    return period_filename(
        "orders",
        filters.since,
        filters.until,
        filters.status,
        filters.product.slug if filters.product else "",
        filters.currency.lower(),
    )
