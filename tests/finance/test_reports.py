import datetime as dt

import pytest
from django.urls import reverse

from catalog.money import format_money
from checkout.charts import BAR_MIN, VALUE_SPACE, WIDTH, bar_chart
from checkout.reports import ReportPeriod, default_period, revenue_report
from tests.factories import make_order, make_product

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("admin:checkout_order_dashboard")
JAN_TO_MAR = ReportPeriod(since=dt.date(2026, 1, 1), until=dt.date(2026, 3, 1), currency="USD")


def at(month: int, day: int, hour: int = 12) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=dt.UTC)


@pytest.fixture
def sales():
    """Hand-built orders around January and February 2026, with the figures each one contributes."""
    course = make_product(name="Course A", slug="course-a", price_cents=10000)
    kit = make_product(name="Kit B", slug="kit-b", price_cents=2500)
    # January: a discounted and taxed two-product order, and a fully refunded one.
    discounted = make_order([(course, 1), (kit, 2)], paid_at=at(1, 10), discount_cents=1000, tax_cents=800)
    refunded = make_order(
        [(course, 1)], status="refunded", amount_refunded_cents=course.price_cents, paid_at=at(1, 20)
    )
    # February: three kits, one of them refunded.
    partial = make_order(
        [(kit, 3)], status="partially_refunded", amount_refunded_cents=kit.price_cents, paid_at=at(2, 3)
    )
    # None of these count: unpaid, failed, outside the period on either side, another currency.
    make_order([(course, 5)], status="pending")
    make_order([(course, 5)], status="failed")
    make_order([(course, 5)], paid_at=at(3, 1, 0))
    make_order([(course, 5)], paid_at=dt.datetime(2025, 12, 31, 23, 59, tzinfo=dt.UTC))
    make_order([(make_product(price_cents=999, currency="EUR"), 5)], paid_at=at(1, 15))
    return {"course": course, "kit": kit, "orders": (discounted, refunded, partial)}


def test_monthly_figures_come_from_the_paid_orders_in_the_period(sales):
    discounted, refunded, partial = sales["orders"]

    report = revenue_report(JAN_TO_MAR)

    january, february = report.months
    assert january.month == dt.date(2026, 1, 1) and february.month == dt.date(2026, 2, 1)
    assert january.orders == 2 and february.orders == 1
    assert january.seats == 4 and february.seats == 3
    assert january.gross_cents == discounted.total_cents + refunded.total_cents == 24800
    assert january.refunded_cents == refunded.total_cents
    assert january.net_cents == discounted.total_cents
    assert february.gross_cents == partial.total_cents == 7500
    assert february.net_cents == partial.total_cents - sales["kit"].price_cents


def test_totals_refunds_and_average_order_value(sales):
    discounted, refunded, partial = sales["orders"]
    gross = discounted.total_cents + refunded.total_cents + partial.total_cents

    totals = revenue_report(JAN_TO_MAR).totals

    assert (totals.orders, totals.seats) == (3, 7)
    assert totals.gross_cents == gross == 32300
    assert totals.refunded_cents == refunded.amount_refunded_cents + partial.amount_refunded_cents == 12500
    assert totals.net_cents == 19800
    assert totals.discount_cents == 1000 and totals.tax_cents == 800
    assert totals.average_order_cents == 10767  # 32300 / 3 = 10766.67, rounded to the cent


def test_product_figures_reconcile_with_the_monthly_net_revenue(sales):
    report = revenue_report(JAN_TO_MAR)

    by_slug = {product.slug: product for product in report.products}
    assert [product.slug for product in report.products] == ["course-a", "kit-b"]
    assert (by_slug["course-a"].orders, by_slug["course-a"].seats) == (2, 2)
    assert by_slug["course-a"].line_sales_cents == 2 * sales["course"].price_cents
    assert (by_slug["kit-b"].orders, by_slug["kit-b"].seats) == (2, 5)
    assert by_slug["kit-b"].line_sales_cents == 5 * sales["kit"].price_cents
    totals = report.totals
    assert report.reconciles
    assert (
        report.line_sales_cents - totals.discount_cents + totals.tax_cents - totals.refunded_cents
        == totals.net_cents
    )


def test_months_without_sales_are_listed_as_zero(sales):
    report = revenue_report(ReportPeriod(since=dt.date(2025, 11, 15), until=dt.date(2026, 4, 1)))

    assert [row.month.isoformat()[:7] for row in report.months] == [
        "2025-11",
        "2025-12",
        "2026-01",
        "2026-02",
        "2026-03",
    ]
    assert [row.orders for row in report.months] == [0, 1, 2, 1, 1]
    assert report.months[0].net_cents == 0 and report.months[0].seats == 0


def test_other_currencies_are_reported_on_their_own(sales):
    report = revenue_report(
        ReportPeriod(since=dt.date(2026, 1, 1), until=dt.date(2026, 3, 1), currency="EUR")
    )

    assert report.totals.orders == 1
    assert report.totals.gross_cents == 5 * 999


def test_a_stored_total_that_disagrees_with_its_lines_is_flagged():
    make_order([(make_product(price_cents=1000), 1)], paid_at=at(1, 5), total_cents=900)

    assert not revenue_report(JAN_TO_MAR).reconciles


def test_default_period_is_the_last_twelve_months_including_this_one():
    period = default_period(dt.date(2026, 11, 26))

    assert (period.since, period.until) == (dt.date(2025, 12, 1), dt.date(2026, 12, 1))
    assert len(period.months()) == 12


def test_bar_widths_are_proportional_and_zero_still_shows():
    chart = bar_chart("Net", [("Jan", 20000), ("Feb", 5000), ("Mar", 0)], "USD")

    widths = [bar.width for bar in chart.bars]
    assert widths == [WIDTH - VALUE_SPACE, (WIDTH - VALUE_SPACE) // 4, BAR_MIN]
    assert [bar.value_text for bar in chart.bars] == ["$200", "$50", "$0"]
    assert chart.description == "Jan: $200; Feb: $50; Mar: $0"
    assert chart.height > chart.bars[-1].value_y


def test_dashboard_shows_the_figures_as_an_accessible_svg_chart_and_a_table(finance_client, sales):
    response = finance_client.get(
        DASHBOARD, {"since": "2026-01-01", "until": "2026-03-01", "currency": "USD"}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('role="img"') == 2
    assert '<title id="month-chart-title">Net revenue by month (USD)</title>' in page
    assert "Jan 2026: $148; Feb 2026: $50" in page
    assert "<script" not in page.split('<div id="content-main">')[1]
    for figure in [19800, 32300, 12500, 10767, 24800, 14800, 5000, 20000, 12500]:
        assert format_money(figure) in page
    assert ">Jan 2026</th>" in page and ">Course A<br>" in page


def test_dashboard_opens_on_the_last_twelve_months(finance_client):
    today = dt.datetime.now(dt.UTC).date()
    since = dt.date(today.year - 1, today.month, 1) + dt.timedelta(days=31)
    since = since.replace(day=1)  # the first day of the month eleven months ago
    until = dt.date(today.year + today.month // 12, today.month % 12 + 1, 1)  # the first day of next month

    response = finance_client.get(DASHBOARD)

    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["report"].period.since == since
    assert response.context["report"].period.until == until
    assert f"{since:%-d %b %Y} to {until:%-d %b %Y} (not included)" in page
    assert page.count('role="img"') == 1  # no sales yet: no product chart


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"since": "2026-03-01", "until": "2026-01-01", "currency": "USD"}, "must be a later day"),
        ({"since": "yesterday", "until": "2026-01-01", "currency": "USD"}, "Enter a valid date."),
        ({"since": "2026-01-01", "until": "2026-02-01", "currency": "XXX"}, "Select a valid choice."),
        ({"since": "2026-01-01", "currency": "USD"}, "This field is required."),
    ],
)
def test_bad_dashboard_input_is_a_form_error(finance_client, query, message):
    response = finance_client.get(DASHBOARD, query)

    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert 'role="img"' not in page
