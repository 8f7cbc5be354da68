"""Receivables: open invoices of payment requests with their age, on the dashboard, the page, the CSV
download, the admin action and `manage.py export_receivables`."""

import datetime as dt
import secrets

import pytest
from django.core.management import call_command

from finance import receivables
from invoicing.models import PaymentRequest
from tests.factories import make_order, make_product
from tests.finance.conftest import read_csv, streamed_text

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2027, 3, 1, 12, tzinfo=dt.UTC)


def make_request(
    days_overdue: int,
    *,
    state: str = "issued",
    invoice_status: str = "open",
    po: str = "PO-1",
    company="Studio Ltd",
):
    product = make_product(price_cents=29700)
    order = make_order([(product, 10)], status="pending")
    return PaymentRequest.objects.create(
        order=order,
        token_hash=secrets.token_hex(32),
        buyer_name="Dana",
        buyer_email="dana@studio.example",
        payer_name="Max",
        payer_email="max@studio.example",
        company_name=company,
        billing_country="US",
        po_number=po,
        state=state,
        invoice_status=invoice_status,
        stripe_invoice_id=f"in_test_{secrets.token_hex(6)}",
        invoice_number=f"INV-{days_overdue}",
        amount_due_cents=order.total_cents,
        currency=order.currency,
        issued_at=NOW - dt.timedelta(days=30 + days_overdue),
        due_at=NOW - dt.timedelta(days=days_overdue),
    )


@pytest.mark.parametrize(
    ("days", "bucket"),
    [(-5, "current"), (0, "current"), (1, "1-30"), (30, "1-30"), (31, "31-60"), (60, "31-60"), (61, "60+")],
)
def test_age_buckets_by_days_past_due(days, bucket):
    assert receivables.bucket_for(days) == bucket


def test_only_issued_unpaid_invoices_are_receivable():
    open_one = make_request(3)
    make_request(5, state="paid", invoice_status="paid")
    make_request(5, state="cancelled", invoice_status="void")
    make_request(5, state="closed", invoice_status="open")

    rows = receivables.receivables(now=NOW)

    assert [row.request for row in rows] == [open_one]
    assert rows[0].days_overdue == 3
    assert rows[0].bucket == "1-30"


def test_bucket_totals_per_currency_in_order():
    make_request(-3)
    make_request(10)
    make_request(12)
    make_request(90)

    totals = receivables.bucket_totals(receivables.receivables(now=NOW))

    assert [(t.bucket, t.invoices, t.amount_cents) for t in totals] == [
        ("current", 1, 297000),
        ("1-30", 2, 594000),
        ("31-60", 0, 0),
        ("60+", 1, 297000),
    ]


def test_csv_lists_open_invoices_with_neutralised_text():
    make_request(40, po="=HYPERLINK(1)", company="@Evil Co")

    (row,) = read_csv("".join(receivables.csv_stream(now=NOW)))

    assert row["po_number"] == "'=HYPERLINK(1)"
    assert row["company_name"] == "'@Evil Co"
    assert row["amount_due"] == "2970.00"
    assert row["days_overdue"] == "40"
    assert row["age_bucket"] == "31-60"
    assert row["due_date"] == (NOW - dt.timedelta(days=40)).date().isoformat()


def test_receivables_page_and_download(finance_client):
    make_request(2, po="PO-PAGE")

    page = finance_client.get("/admin/finance/receivables/")
    download = finance_client.get("/admin/finance/receivables/?format=csv")
    dashboard = finance_client.get("/admin/finance/dashboard/")

    assert page.status_code == 200
    assert b"PO-PAGE" in page.content
    assert download["Content-Type"].startswith("text/csv")
    assert read_csv(streamed_text(download))[0]["po_number"] == "PO-PAGE"
    assert b"Receivables" in dashboard.content
    assert b"1-30 days overdue" in dashboard.content


def test_receivables_need_staff(client):
    assert client.get("/admin/finance/receivables/").status_code == 302


def test_export_receivables_command(capsys, tmp_path):
    make_request(1, po="PO-CMD")
    call_command("export_receivables")
    assert "PO-CMD" in capsys.readouterr().out

    target = tmp_path / "r.csv"
    call_command("export_receivables", "--output", str(target))
    assert read_csv(target.read_text())[0]["po_number"] == "PO-CMD"


def test_admin_action_exports_the_selected_open_invoices(admin_client):
    wanted = make_request(1, po="PO-WANTED")
    make_request(1, po="PO-OTHER")

    response = admin_client.post(
        "/admin/invoicing/paymentrequest/",
        {"action": "export_receivables", "_selected_action": [wanted.pk]},
    )

    assert [row["po_number"] for row in read_csv(streamed_text(response))] == ["PO-WANTED"]
