"""The dashboard's tax (collected by country and month, revenue net of tax) and its money by currency (what
buyers paid in each, and what it settled as in the account's currency)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from checkout.models import Order
from finance.currency_totals import currency_totals
from finance.reports import ReportPeriod, revenue_report
from finance.tax_figures import TaxRow, tax_summary
from payments.models import Payment, Refund
from payments.refund_tax import allocate_refund_tax
from tests.factories import make_order, make_product

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("finance:dashboard")
JAN_TO_MAR = ReportPeriod(since=dt.date(2026, 1, 1), until=dt.date(2026, 3, 1), currency="USD")


def at(month: int, day: int) -> dt.datetime:
    return dt.datetime(2026, month, day, 12, tzinfo=dt.UTC)


def settle(order: Order, cents: int, currency: str, rate: str | None, fee: int) -> None:
    Payment.objects.filter(order=order).update(
        settlement_cents=cents,
        settlement_currency=currency,
        exchange_rate=Decimal(rate) if rate else None,
        fee_cents=fee,
        net_cents=cents - fee,
    )


@pytest.fixture
def taxed_sales():
    course = make_product(price_cents=10000)
    german = make_order(
        [(course, 1)],
        paid_at=at(1, 10),
        tax_cents=1900,
        billing_country="DE",
        status="partially_refunded",
        amount_refunded_cents=5950,
        refunded_at=at(2, 3),
    )
    allocate_refund_tax(german)  # half the order back: half its tax
    british = make_order([(course, 1)], paid_at=at(1, 12), tax_cents=2000, billing_country="GB")
    american = make_order([(course, 1)], paid_at=at(2, 1), billing_country="US")
    # Not in the dollar figures: euros, and a payment after the period.
    euros = make_order([(make_product(price_cents=5000, currency="EUR"), 1)], paid_at=at(1, 5), tax_cents=950)
    make_order([(course, 1)], paid_at=at(3, 1), tax_cents=2000, billing_country="GB")
    return {"german": german, "british": british, "american": american, "euros": euros}


def test_tax_is_collected_by_country_in_the_month_it_moved_less_the_tax_part_of_refunds(taxed_sales):
    report = revenue_report(JAN_TO_MAR)

    tax = tax_summary(JAN_TO_MAR, report.totals)

    assert Refund.objects.get(order=taxed_sales["german"]).tax_cents == 950
    assert tax.rows == [
        TaxRow(month=dt.date(2026, 1, 1), country="DE", charged_cents=1900),
        TaxRow(month=dt.date(2026, 1, 1), country="GB", charged_cents=2000),
        TaxRow(month=dt.date(2026, 2, 1), country="DE", refunded_cents=950),
    ]
    assert (tax.charged_cents, tax.refunded_cents, tax.collected_cents) == (3900, 950, 2950)
    # Gross 11900 + 12000 + 10000, less the 59.50 refund, less the tax kept.
    assert report.totals.gross_cents == 33900
    assert tax.revenue_net_of_tax_cents == 33900 - 5950 - 2950


def test_the_dashboard_shows_revenue_net_of_tax_and_the_tax_table(finance_client, taxed_sales):
    page = finance_client.get(DASHBOARD, {"since": "2026-01-01", "until": "2026-03-01", "currency": "USD"})

    text = page.content.decode()
    assert page.status_code == 200
    assert "Revenue net of tax" in text and "$250" in text  # 339.00 − 59.50 − 29.50
    assert "Tax by country and month" in text
    assert '>DE</td><td class="num">$19</td>' in text
    assert '>Feb 2026</th><td>DE</td><td class="num">$0</td><td class="num">$9.50</td>' in text


def test_money_is_totalled_per_currency_and_in_the_settlement_currency(taxed_sales):
    settle(taxed_sales["german"], 11900, "USD", None, 375)
    settle(taxed_sales["british"], 12000, "USD", None, 378)
    settle(taxed_sales["euros"], 6426, "USD", "1.08", 217)  # 59.50 EUR at 1.08
    Refund.objects.filter(order=taxed_sales["german"]).update(
        settlement_cents=5950, settlement_currency="USD"
    )
    # The American payment's balance transaction has not been read: counted apart.

    totals = currency_totals(dt.date(2026, 1, 1), dt.date(2026, 3, 1))

    rows = {(row.currency, row.settlement_currency): row for row in totals.rows}
    assert set(rows) == {("EUR", "USD"), ("USD", "USD"), ("USD", "")}
    euros = rows[("EUR", "USD")]
    assert (euros.gross_cents, euros.settled_gross_cents, euros.fee_cents) == (5950, 6426, 217)
    dollars = rows[("USD", "USD")]
    assert (dollars.payments, dollars.gross_cents, dollars.refunded_cents) == (2, 23900, 5950)
    assert dollars.settled_net_cents == 23900 - 5950 - 375 - 378
    assert [row.currency for row in totals.unsettled] == ["USD"]
    (usd,) = totals.settlement
    assert usd.currency == "USD"
    assert usd.settled_gross_cents == 23900 + 6426
    assert usd.settled_net_cents == 23900 + 6426 - 5950 - (375 + 378 + 217)


def test_a_yen_sale_settled_in_dollars_shows_each_side_in_its_own_units(finance_client):
    yen = make_order([(make_product(price_cents=14700, currency="JPY"), 1)], paid_at=at(1, 5))
    settle(yen, 9849, "USD", "0.67", 316)

    text = finance_client.get(
        DASHBOARD, {"since": "2026-01-01", "until": "2026-03-01", "currency": "JPY"}
    ).content.decode()

    assert '<th scope="row">JPY</th><td class="num">1</td><td class="num">¥14,700</td>' in text
    assert "$98.49" in text and "Total settled in USD" in text


def test_a_fee_stripe_took_in_dollars_is_not_counted_as_pounds():
    pounds = make_order([(make_product(price_cents=10000, currency="GBP"), 1)], paid_at=at(1, 5))
    settle(pounds, 12500, "USD", "1.25", 393)
    same = make_order([(make_product(price_cents=5000, currency="GBP"), 1)], paid_at=at(1, 6), fee_cents=175)

    report = revenue_report(
        ReportPeriod(since=dt.date(2026, 1, 1), until=dt.date(2026, 2, 1), currency="GBP")
    )

    assert Payment.objects.get(order=same).settlement_currency == ""  # an old record: its own currency
    assert (report.totals.gross_cents, report.totals.fee_cents) == (15000, 175)
    assert report.totals.net_cents == 15000 - 175
