"""Receivables: invoices of payment requests that are out and unpaid, with their age, and cash received
that nothing was applied to.

One row per open invoice (company, PO, amount, issued, due, days overdue, age bucket), the bucket totals per
currency for the dashboard, and the CSV that the receivables page, the admin action and
`manage.py export_receivables` all stream from `csv_stream()`. Below the open invoices, one row (age
"unapplied cash") per ended request whose Stripe customer still holds bank transfers on its cash balance
(sent after the invoice was voided, or more than it asked): money to refund to the payer. Read-only: it
reads the invoicing app's records.
"""

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from catalog.money import decimal_text
from finance.csv_text import format_timestamp, iter_csv, neutralise
from invoicing.models import PaymentRequest

# Age buckets by days past the due date (UTC days): (name, lowest, highest or None).
BUCKETS = (("current", None, 0), ("1-30", 1, 30), ("31-60", 31, 60), ("60+", 61, None))
UNAPPLIED = "unapplied cash"
HEADER = [
    "order_reference",
    "invoice_number",
    "company_name",
    "po_number",
    "payer_email",
    "amount_due",
    "currency",
    "issued_at",
    "due_date",
    "days_overdue",
    "age_bucket",
    "stripe_invoice_id",
    "cash_received",
]


@dataclass(frozen=True)
class Receivable:
    request: PaymentRequest
    days_overdue: int
    bucket: str

    @property
    def amount_cents(self) -> int:
        return self.request.amount_due_cents or 0


def open_invoices() -> QuerySet[PaymentRequest]:
    """Requests whose invoice is issued and unpaid (Stripe's status open), oldest due first."""
    return (
        PaymentRequest.objects.filter(state=PaymentRequest.State.ISSUED, invoice_status="open")
        .select_related("order")
        .order_by("due_at", "id")
    )


def unapplied_cash() -> QuerySet[PaymentRequest]:
    """Requests no longer waiting for money whose customer still holds cash on its balance."""
    return (
        PaymentRequest.objects.exclude(state__in=PaymentRequest.OPEN)
        .filter(cash_balance_cents__gt=0)
        .select_related("order")
        .order_by("updated_at", "id")
    )


def unapplied(requests: Iterable[PaymentRequest] | None = None) -> list[Receivable]:
    return [
        Receivable(request=request, days_overdue=0, bucket=UNAPPLIED)
        for request in (unapplied_cash() if requests is None else requests)
    ]


def bucket_for(days_overdue: int) -> str:
    for name, low, high in BUCKETS:
        if (low is None or days_overdue >= low) and (high is None or days_overdue <= high):
            return name
    raise AssertionError(days_overdue)


def receivables(
    requests: Iterable[PaymentRequest] | None = None, now: dt.datetime | None = None
) -> list[Receivable]:
    today = (now or timezone.now()).astimezone(dt.UTC).date()
    rows = []
    for request in open_invoices() if requests is None else requests:
        due = request.due_at.astimezone(dt.UTC).date() if request.due_at else today
        overdue = (today - due).days
        rows.append(Receivable(request=request, days_overdue=overdue, bucket=bucket_for(overdue)))
    return rows


@dataclass(frozen=True)
class BucketTotal:
    currency: str
    bucket: str
    invoices: int
    amount_cents: int


def bucket_totals(rows: list[Receivable]) -> list[BucketTotal]:
    """Per currency, every bucket in order (empty ones too, so the table's columns line up)."""
    rows = [row for row in rows if row.bucket != UNAPPLIED]
    currencies = sorted({row.request.currency or row.request.order.currency for row in rows})
    totals = []
    for currency in currencies:
        for name, _, _ in BUCKETS:
            chosen = [
                r
                for r in rows
                if r.bucket == name and (r.request.currency or r.request.order.currency) == currency
            ]
            totals.append(BucketTotal(currency, name, len(chosen), sum(r.amount_cents for r in chosen)))
    return totals


def csv_row(row: Receivable) -> list[str]:
    request = row.request
    currency = request.currency or request.order.currency
    cash_only = row.bucket == UNAPPLIED
    return [
        neutralise(request.order.reference or ""),
        neutralise(request.invoice_number),
        neutralise(request.company_name),
        neutralise(request.po_number),
        neutralise(request.payer_email),
        "" if cash_only else decimal_text(row.amount_cents, currency),
        currency,
        format_timestamp(request.issued_at),
        request.due_at.astimezone(dt.UTC).date().isoformat() if request.due_at else "",
        "" if cash_only else str(row.days_overdue),
        row.bucket,
        neutralise(request.stripe_invoice_id or ""),
        # Bank transfers on the customer's balance: short of the invoice (Stripe applies only a full amount),
        # or, on an "unapplied cash" row, received for a request that had ended.
        decimal_text(request.cash_balance_cents, currency) if request.cash_balance_cents else "",
    ]


def iter_rows(rows: list[Receivable]) -> Iterator[list[str]]:
    yield HEADER
    for row in rows:
        yield csv_row(row)


def csv_stream(
    requests: Iterable[PaymentRequest] | None = None,
    *,
    cash: Iterable[PaymentRequest] | None = None,
    now: dt.datetime | None = None,
    bom: bool = False,
) -> Iterator[str]:
    """The open invoices (`requests`, default all), then the unapplied cash (`cash`, default all; none
    when only chosen invoices are asked for)."""
    if cash is None and requests is not None:
        cash = []
    return iter_csv(iter_rows(receivables(requests, now) + unapplied(cash)), bom=bom)


def filename(now: dt.datetime | None = None) -> str:
    return f"receivables-{(now or timezone.now()).astimezone(dt.UTC).date().isoformat()}.csv"
