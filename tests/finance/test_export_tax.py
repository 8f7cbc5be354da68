"""`manage.py export_tax`: net, tax, rate and order count per month, country, currency and taxability
reason, from the tax each order recorded."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from payments.models import Refund
from tests.factories import make_order, make_product

pytestmark = pytest.mark.django_db


def paid(day: int, month: int = 12) -> dt.datetime:
    return dt.datetime(2026, month, day, 12, tzinfo=dt.UTC)


def export(**options) -> list[list[str]]:
    out = io.StringIO()
    call_command("export_tax", stdout=out, **options)
    return [line.split(",") for line in out.getvalue().strip().split("\r\n")]


def test_the_report_adds_up_each_country_and_reason_per_month():
    kit = make_product(price_cents=10000)
    german = {"billing_country": "DE", "taxability_reason": "standard_rated"}
    make_order([(kit, 1)], paid_at=paid(1), tax_cents=1900, total_cents=11900, **german)
    make_order([(kit, 2)], paid_at=paid(20), tax_cents=3800, total_cents=23800, **german)
    make_order([(kit, 1)], paid_at=paid(3), billing_country="DE", taxability_reason="reverse_charge")
    make_order([(kit, 1)], paid_at=paid(4, month=11), tax_cents=2000, total_cents=12000, billing_country="GB")
    make_order([(kit, 1)], status="pending", billing_country="DE", tax_cents=1900, total_cents=11900)

    rows = export(since="2026-12-01", until="2027-01-01")

    assert rows[0] == [
        "period",
        "country",
        "currency",
        "taxability_reason",
        "net",
        "tax",
        "rate_percent",
        "orders",
    ]
    assert rows[1:] == [
        ["2026-12", "DE", "USD", "reverse_charge", "100.00", "0.00", "0.00", "1"],
        ["2026-12", "DE", "USD", "standard_rated", "300.00", "57.00", "19.00", "2"],
    ]


def test_a_yen_report_has_no_decimals():
    item = make_product(price_cents=14700, currency="JPY")
    make_order([(item, 1)], paid_at=paid(2), tax_cents=2793, total_cents=17493, billing_country="DE")

    (_, row) = export(since="2026-12-01", until="2027-01-01")

    assert row[4:7] == ["14700", "2793", "19.00"]


def test_a_bad_period_is_a_usage_error():
    with pytest.raises(CommandError, match="--since"):
        export(since="yesterday", until="2027-01-01")


def test_a_refund_takes_its_net_and_tax_part_off_in_the_month_it_was_made():
    kit = make_product(price_cents=10000)
    german = {"billing_country": "DE", "taxability_reason": "standard_rated"}
    order = make_order([(kit, 1)], paid_at=paid(1, month=11), tax_cents=1900, total_cents=11900, **german)
    Refund.objects.create(
        order=order,
        stripe_refund_id="re_half",
        amount_cents=5950,
        currency="USD",
        status="succeeded",
        tax_cents=950,
        created=paid(5),
    )

    rows = export(since="2026-11-01", until="2027-01-01")

    assert rows[1:] == [
        ["2026-11", "DE", "USD", "standard_rated", "100.00", "19.00", "19.00", "1"],
        ["2026-12", "DE", "USD", "standard_rated", "-50.00", "-9.50", "", "0"],
    ]
    assert export(since="2026-11-01", until="2026-12-01")[1:] == [rows[1]]  # the refund is December's
