"""Finance pages inside the admin: the revenue dashboard, the two CSV exports and the payouts page.

Each view checks one permission, parses its input with a form, calls finance's read-only functions and
renders or streams. Mounted by config/urls.py under the admin's address, wrapped in `admin_view`.
"""

import datetime as dt

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode

from credit_notes.models import CreditNote
from finance import columns, export, receivables, transactions
from finance import payouts as payouts_csv
from finance.charts import bar_chart
from finance.currency_totals import currency_totals
from finance.forms import DashboardForm, ExportForm, TransactionForm
from finance.payouts import payout_summaries
from finance.reports import add_months, first_of_month, revenue_report
from finance.tax_figures import tax_summary
from recovery import figures as recovery_figures

VIEW_ORDERS = "checkout.view_order"
EXPORT_ORDERS = "checkout.export_orders"


def _require(request: HttpRequest, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


def _context(request: HttpRequest, title: str) -> dict:
    return {
        **admin.site.each_context(request),
        "title": title,
        "can_export": request.user.has_perm(EXPORT_ORDERS),
    }


def csv_download(stream, name: str) -> StreamingHttpResponse:
    """A CSV download, streamed: rows are read and written while the client receives them."""
    response = StreamingHttpResponse(stream, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


def orders_csv(filters: export.ExportFilter, bom: bool = False) -> StreamingHttpResponse:
    return csv_download(export.csv_stream(filters, bom=bom), export.filename(filters))


def _this_month() -> dict:
    month = first_of_month(dt.datetime.now(dt.UTC).date())
    return {"since": month, "until": add_months(month, 1)}


def export_orders(request: HttpRequest) -> HttpResponse:
    _require(request, EXPORT_ORDERS)
    if request.method == "POST":
        form = ExportForm(request.POST)
        if form.is_valid():
            return orders_csv(form.export_filter(), bom=form.cleaned_data["bom"])
    else:
        # The dashboard's period and currency carry over in the query string.
        form = ExportForm(initial={**_this_month(), **request.GET.dict()})
    context = {**_context(request, "Export orders"), "form": form, "columns": columns.HEADER}
    return TemplateResponse(request, "finance/export.html", context)


def export_transactions(request: HttpRequest) -> HttpResponse:
    _require(request, EXPORT_ORDERS)
    if request.method == "POST":
        form = TransactionForm(request.POST)
        if form.is_valid():
            filters = form.transaction_filter()
            return csv_download(
                transactions.csv_stream(filters, bom=form.cleaned_data["bom"]), transactions.filename(filters)
            )
    else:
        form = TransactionForm(initial={**_this_month(), **request.GET.dict()})
    context = {
        **_context(request, "Export money movements"),
        "form": form,
        "columns": transactions.HEADER,
        "transactions": True,
    }
    return TemplateResponse(request, "finance/export.html", context)


def receivables_page(request: HttpRequest) -> HttpResponse:
    """Open invoices of payment requests by age; `?format=csv` downloads them (export permission)."""
    _require(request, VIEW_ORDERS)
    if request.GET.get("format") == "csv":
        _require(request, EXPORT_ORDERS)
        return csv_download(receivables.csv_stream(), receivables.filename())
    rows = receivables.receivables()
    context = {
        **_context(request, "Receivables"),
        "rows": rows,
        "unapplied": receivables.unapplied(),
        "totals": receivables.bucket_totals(rows),
        "buckets": [name for name, _, _ in receivables.BUCKETS],
    }
    return TemplateResponse(request, "finance/receivables.html", context)


CREDIT_NOTES_SHOWN = 200  # the period's newest first; the transactions export has them all


def dashboard(request: HttpRequest) -> HttpResponse:
    _require(request, VIEW_ORDERS)
    form = DashboardForm.from_query(request.GET)
    open_invoices = receivables.receivables()
    context = {
        **_context(request, "Revenue dashboard"),
        "form": form,
        "receivable_totals": receivables.bucket_totals(open_invoices),
        "receivables_url": reverse("finance:receivables"),
    }
    if form.is_valid():
        report = revenue_report(form.period())
        currency = report.period.currency
        carried = urlencode(
            {"since": report.period.since, "until": report.period.until, "currency": currency}
        )
        context.update(
            report=report,
            currency=currency,
            tax=tax_summary(report.period, report.totals),
            currencies=currency_totals(report.period.since, report.period.until),
            credit_notes=CreditNote.objects.filter(
                created__gte=report.period.start, created__lt=report.period.end, currency=currency
            ).select_related("order")[:CREDIT_NOTES_SHOWN],
            export_url=f"{reverse('finance:export_orders')}?{carried}",
            transactions_url=f"{reverse('finance:export_transactions')}?{carried}",
            month_chart=bar_chart(
                f"Net revenue by month ({currency})",
                [(month.month.strftime("%b %Y"), month.net_cents) for month in report.months],
                currency,
            ),
            recovery_months=recovery_figures.monthly(
                start=report.period.start, end=report.period.end, currency=currency
            ),
            product_chart=bar_chart(
                f"Line sales by product ({currency})",
                [(product.name, product.line_sales_cents) for product in report.products],
                currency,
            ),
        )
    return TemplateResponse(request, "finance/dashboard.html", context)


def payouts(request: HttpRequest) -> HttpResponse:
    """Payouts matched against our records; `?format=csv` downloads them (export permission)."""
    _require(request, VIEW_ORDERS)
    if request.GET.get("format") == "csv":
        _require(request, EXPORT_ORDERS)
        return csv_download(payouts_csv.csv_stream(), payouts_csv.filename())
    context = {**_context(request, "Payouts"), "payouts": payout_summaries()}
    return TemplateResponse(request, "finance/payouts.html", context)
