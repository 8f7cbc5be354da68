import datetime as dt

import pytest
from django.urls import reverse

from catalog.money import format_money
from finance.charts import BAR_MIN, VALUE_SPACE, WIDTH, bar_chart
from finance.reports import ReportPeriod, default_period, money_span, revenue_report
from tests.factories import make_order, make_product

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("finance:dashboard")
JAN_TO_MAR = ReportPeriod(since=dt.date(2026, 1, 1), until=dt.date(2026, 3, 1), currency="USD")


def at(month: int, day: int, hour: int = 12) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=dt.UTC)


@pytest.fixture
def sales():
    """Hand-built orders, payments and refunds around January and February 2026 (USD), and others that
    must not count."""
    course = make_product(name="Course A", slug="course-a", price_cents=10000)
    kit = make_product(name="Kit B", slug="kit-b", price_cents=2500)
    # January: a discounted and taxed two-product order (fee 300), and one refunded in full in February.
    discounted = make_order(
        [(course, 1), (kit, 2)], paid_at=at(1, 10), discount_cents=1000, tax_cents=800, fee_cents=300
    )
    refunded = make_order(
        [(course, 1)],
        status="refunded",
        amount_refunded_cents=course.price_cents,
        paid_at=at(1, 20),
        refunded_at=at(2, 2),
    )
    # February: three kits, one refunded the same month; paid exactly at the start of February.
    partial = make_order(
        [(kit, 3)],
        status="partially_refunded",
        amount_refunded_cents=kit.price_cents,
        paid_at=dt.datetime(2026, 2, 1, 0, 0, tzinfo=dt.UTC),
        refunded_at=at(2, 5),
    )
    # None of these count: unpaid, failed, outside the period on either side, another currency.
    make_order([(course, 5)], status="pending")
    make_order([(course, 5)], status="failed")
    make_order([(course, 5)], paid_at=at(3, 1, 0))
    make_order([(course, 5)], paid_at=dt.datetime(2025, 12, 31, 23, 59, tzinfo=dt.UTC))
    make_order([(make_product(price_cents=999, currency="EUR"), 5)], paid_at=at(1, 15))
    return {"course": course, "kit": kit, "orders": (discounted, refunded, partial)}


def test_money_is_counted_in_the_month_it_moved(sales):
    discounted, refunded, partial = sales["orders"]

    report = revenue_report(JAN_TO_MAR)

    january, february = report.months
    assert january.month == dt.date(2026, 1, 1) and february.month == dt.date(2026, 2, 1)
    assert january.gross_cents == discounted.total_cents + refunded.total_cents == 24800
    assert january.refunded_cents == 0  # the January sale refunded in February leaves January closed
    assert january.fee_cents == 300
    assert january.net_cents == 24800 - 300
    assert february.gross_cents == partial.total_cents == 7500
    assert february.refunded_cents == refunded.total_cents + sales["kit"].price_cents == 12500
    assert february.net_cents == 7500 - 12500


def test_orders_and_seats_are_net_of_fully_refunded_orders(sales):
    report = revenue_report(JAN_TO_MAR)

    january, february = report.months
    assert (january.orders, january.seats) == (1, 3)  # the fully refunded order is not kept
    assert (february.orders, february.seats) == (1, 3)  # a partial refund keeps the order
    assert (report.totals.orders, report.totals.seats) == (2, 6)


def test_average_order_value_divides_what_the_orders_it_counts_paid_by_their_number(sales):
    discounted, _refunded, partial = sales["orders"]
    report = revenue_report(JAN_TO_MAR)

    assert report.totals.payments == 3 and report.totals.orders == 2  # the full refund is not counted
    assert report.totals.kept_gross_cents == discounted.total_cents + partial.total_cents == 22300
    assert report.totals.average_order_cents == 11150  # 22300 / 2
    assert [month.average_order_cents for month in report.months] == [14800, 7500]


def test_a_payment_at_the_very_start_of_the_period_counts_and_one_at_its_end_does_not(sales):
    february_only = revenue_report(ReportPeriod(since=dt.date(2026, 2, 1), until=dt.date(2026, 3, 1)))

    assert february_only.totals.gross_cents == 7500
    assert february_only.totals.payments == 1


def test_a_refund_later_than_the_period_does_not_change_it(sales):
    january_only = revenue_report(ReportPeriod(since=dt.date(2026, 1, 1), until=dt.date(2026, 2, 1)))

    assert january_only.totals.refunded_cents == 0
    assert january_only.totals.net_cents == 24800 - 300


def test_disputes_count_when_funds_are_withdrawn_and_reinstated(sales):
    from payments.models import Dispute

    discounted = sales["orders"][0]
    Dispute.objects.create(
        order=discounted,
        stripe_dispute_id="dp_1",
        amount_cents=discounted.total_cents,
        currency="USD",
        status="won",
        created=at(1, 25),
        funds_withdrawn_at=at(1, 25),
        funds_reinstated_at=at(2, 20),
    )

    january, february = revenue_report(JAN_TO_MAR).months

    assert january.disputed_cents == discounted.total_cents
    assert february.disputed_cents == -discounted.total_cents
    assert revenue_report(JAN_TO_MAR).totals.disputed_cents == 0


def test_processing_orders_are_shown_apart_and_not_counted(sales):
    processing = make_order([(sales["course"], 2)], status="processing", paid_at=None)
    processing.created_at = at(1, 5)
    processing.save(update_fields=["created_at"])

    report = revenue_report(JAN_TO_MAR)

    assert (report.processing.orders, report.processing.amount_cents) == (1, 20000)
    assert report.totals.gross_cents == 32300


def test_product_figures_count_the_orders_kept(sales):
    report = revenue_report(JAN_TO_MAR)

    by_slug = {row.slug: row for row in report.products}
    assert set(by_slug) == {"course-a", "kit-b"}
    assert (by_slug["course-a"].orders, by_slug["course-a"].seats) == (1, 1)
    assert (by_slug["kit-b"].orders, by_slug["kit-b"].seats) == (2, 5)
    assert report.line_sales_cents == 10000 + 5 * 2500


def test_months_without_sales_are_listed_as_zero(sales):
    report = revenue_report(ReportPeriod(since=dt.date(2025, 11, 1), until=dt.date(2026, 3, 1)))

    assert [m.month for m in report.months] == [
        dt.date(2025, 11, 1),
        dt.date(2025, 12, 1),
        dt.date(2026, 1, 1),
        dt.date(2026, 2, 1),
    ]
    assert report.months[0].gross_cents == 0 and report.months[0].orders == 0
    assert report.months[1].gross_cents == 50000


def test_other_currencies_are_reported_on_their_own(sales):
    report = revenue_report(
        ReportPeriod(since=dt.date(2026, 1, 1), until=dt.date(2026, 3, 1), currency="EUR")
    )

    assert report.totals.gross_cents == 999 * 5
    assert report.totals.payments == 1


@pytest.mark.parametrize(
    ("first", "last", "since", "until"),
    [
        # Money all year long: the last twelve months, this one included.
        (dt.date(2024, 3, 9), dt.date(2026, 11, 20), dt.date(2025, 12, 1), dt.date(2026, 12, 1)),
        # The shop opened in August: the period starts there, not on empty months before.
        (dt.date(2026, 8, 14), dt.date(2026, 10, 2), dt.date(2026, 8, 1), dt.date(2026, 12, 1)),
        # Nothing moved in the last twelve months: the twelve up to the latest that has money.
        (dt.date(2023, 1, 5), dt.date(2024, 6, 30), dt.date(2023, 7, 1), dt.date(2024, 7, 1)),
        (dt.date(2024, 5, 1), dt.date(2024, 6, 30), dt.date(2024, 5, 1), dt.date(2024, 7, 1)),
        # No money yet: this month alone.
        (None, None, dt.date(2026, 11, 1), dt.date(2026, 12, 1)),
    ],
)
def test_the_default_period_never_opens_on_empty_months(first, last, since, until):
    period = default_period(dt.date(2026, 11, 26), first, last)

    assert (period.since, period.until) == (since, until)
    assert len(period.months()) <= 12


def test_money_span_is_the_first_and_latest_movement_in_the_currency(sales):
    assert money_span("USD") == (dt.date(2025, 12, 31), dt.date(2026, 3, 1))
    assert money_span("EUR") == (dt.date(2026, 1, 15), dt.date(2026, 1, 15))
    assert money_span("GBP") == (None, None)


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
    assert "Jan 2026: $245; Feb 2026: -$50" in page
    assert "<script" not in page.split('<div id="content-main">')[1]
    for figure in [32300 - 12500 - 300, 32300, 12500, 300, 11150, 24800, 7500]:
        assert format_money(figure) in page
    assert ">Jan 2026</th>" in page and ">Course A<br>" in page


def test_a_bare_dashboard_opens_on_this_month_before_any_money(finance_client):
    today = dt.datetime.now(dt.UTC).date()
    since = today.replace(day=1)
    until = dt.date(today.year + today.month // 12, today.month % 12 + 1, 1)  # the first day of next month

    response = finance_client.get(DASHBOARD)

    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["report"].period.since == since
    assert response.context["report"].period.until == until
    assert f"{since:%-d %b %Y} to {until:%-d %b %Y} (not included)" in page
    assert page.count('role="img"') == 1  # no sales yet: no product chart


def test_a_bare_dashboard_opens_on_the_months_with_money(finance_client, sales):
    response = finance_client.get(DASHBOARD)

    first_month = response.context["report"].months[0]
    assert first_month.month >= dt.date(2025, 12, 1)  # never before the first month with money
    assert first_month.gross_cents or first_month.refunded_cents  # and not on an empty one


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


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"since": "9999-12-01", "until": "9999-12-31", "currency": "USD"}, "Choose a day between"),
        ({"since": "1900-01-01", "until": "2026-01-01", "currency": "USD"}, "Choose a day between"),
        ({"since": "2010-01-01", "until": "2026-01-01", "currency": "USD"}, "at most 10 years"),
    ],
)
def test_absurd_periods_are_form_errors_not_500s(finance_client, query, message):
    response = finance_client.get(DASHBOARD, query)

    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert "Jan 1900" not in page


def test_the_dashboard_carries_its_period_and_currency_into_the_exports(finance_client, sales):
    page = finance_client.get(DASHBOARD, {"since": "2026-01-01", "until": "2026-03-01", "currency": "USD"})

    text = page.content.decode()
    assert "export/orders/?since=2026-01-01&amp;until=2026-03-01&amp;currency=USD" in text
    export_page = finance_client.get(
        reverse("finance:export_orders"), {"since": "2026-01-01", "until": "2026-03-01", "currency": "USD"}
    ).content.decode()
    assert 'value="2026-01-01"' in export_page
    assert '<option value="USD" selected>' in export_page
