"""Each refund's tax part (payments.refund_tax): the order's tax in proportion to what was refunded,
worked out on the running total and rounded half up, so the parts of a fully refunded order add up to its
tax exactly, in any currency; the exports and the orders page read the stored parts."""

import datetime as dt

import pytest

from finance.export import ExportFilter, csv_stream
from finance.transactions import TransactionFilter, rows
from payments.models import Refund
from payments.refund_tax import allocate_refund_tax, tax_parts
from tests.checkout.conftest import completed_event
from tests.factories import make_order, make_product
from tests.finance.conftest import read_csv
from tests.stripe_fake import make_event


def test_the_parts_of_a_full_refund_add_up_to_the_tax_where_rounding_each_alone_would_not():
    # 27.93 of tax on 174.93: each refund's own share rounds to 7.98, 7.98 and 11.96, a cent short.
    parts = tax_parts(2793, 17493, [5000, 5000, 7493])

    assert parts == [798, 799, 1196]
    assert sum(parts) == 2793


def test_a_half_cent_rounds_up_and_the_next_refund_takes_what_is_left():
    assert tax_parts(1, 2, [1, 1]) == [1, 0]
    assert tax_parts(3, 200, [50, 50, 50, 50]) == [1, 1, 0, 1]  # 0.75, 1.5, 2.25, 3 on the running total


def test_a_partial_refund_keeps_the_rest_of_the_tax_on_the_order():
    assert tax_parts(2000, 12000, [6000]) == [1000]


def test_zero_decimal_currencies_round_to_whole_units():
    # 19% on ¥14,700: ¥2,793 of ¥17,493, in yen (no cents to round to).
    assert tax_parts(2793, 17493, [1, 1, 17491]) == [0, 0, 2793]


def test_refunds_past_the_total_count_up_to_it_and_no_tax_means_no_part():
    assert tax_parts(100, 1000, [900, 900]) == [90, 10]
    assert tax_parts(0, 1000, [500]) == [0]
    assert tax_parts(10, 0, [5]) == [0]


@pytest.mark.django_db
def test_refunds_through_stripe_carry_their_tax_part_into_both_exports(
    catalog, buy, fake_stripe, deliver_event
):
    _, order = buy("level-i")
    deliver_event(completed_event(fake_stripe, order, country="DE"))
    order.refresh_from_db()
    assert (order.tax_cents, order.total_cents) == (2793, 17493)  # 19% of $147

    for amount in (5000, 5000, 7493):
        deliver_event(
            make_event("refund.created", fake_stripe.refund(order.stripe_session_id, amount=amount))
        )

    assert [r.tax_cents for r in Refund.objects.order_by("created", "pk")] == [798, 799, 1196]
    movements = read_csv("\n".join(",".join(row) for row in rows(TransactionFilter())))
    refund_rows = [m for m in movements if m["type"] == "refund"]
    assert sorted(m["tax_amount"] for m in refund_rows) == ["-11.96", "-7.98", "-7.99"]
    (payment_row,) = [m for m in movements if m["type"] == "payment"]
    assert (payment_row["tax_amount"], payment_row["tax_country"], payment_row["taxability_reason"]) == (
        "27.93",
        "DE",
        "standard_rated",
    )
    assert payment_row["tax_behavior"] == "exclusive"
    (line,) = read_csv("".join(csv_stream(ExportFilter())))
    assert (line["order_tax"], line["tax_refunded"], line["status"]) == ("27.93", "27.93", "refunded")


@pytest.mark.django_db
def test_a_refund_that_fails_gives_its_tax_part_back_to_the_later_ones(
    catalog, buy, fake_stripe, deliver_event
):
    _, order = buy("level-i")
    deliver_event(completed_event(fake_stripe, order, country="DE"))
    # 3 cents of 174.93 carry 0.48 cents of tax: rounded to 0, and the next 3 cents make it 0.96, so 1.
    first = fake_stripe.refund(order.stripe_session_id, amount=3)
    deliver_event(make_event("refund.created", first))
    second = fake_stripe.refund(order.stripe_session_id, amount=3)
    deliver_event(make_event("refund.created", second))
    assert dict(Refund.objects.values_list("stripe_refund_id", "tax_cents")) == {
        first["id"]: 0,
        second["id"]: 1,
    }

    deliver_event(make_event("refund.updated", fake_stripe.update_refund(first["id"], status="failed")))

    # On its own the second refund's 0.48 cents round to 0.
    assert dict(Refund.objects.values_list("stripe_refund_id", "tax_cents")) == {
        first["id"]: 0,
        second["id"]: 0,
    }


@pytest.mark.django_db
def test_the_refunds_history_entry_names_its_tax_part(catalog, buy, fake_stripe, deliver_event):
    _, order = buy("level-i")
    deliver_event(completed_event(fake_stripe, order, country="DE"))
    refund = fake_stripe.refund(order.stripe_session_id, amount=5000)

    deliver_event(make_event("refund.created", refund))

    assert order.history.filter(kind="refund", message__contains="(tax part $7.98)").exists()


@pytest.mark.django_db
def test_a_vat_only_refund_is_all_tax_and_the_others_share_the_rest_whenever_it_came():
    # $174.93 with $27.93 VAT: $50 refunded first, then the VAT given back, then the rest.
    order = make_order([(make_product(price_cents=14700), 1)], tax_cents=2793, total_cents=17493)

    def refund(name: str, amount: int, day: int, tax_only: bool = False) -> Refund:
        return Refund.objects.create(
            order=order,
            stripe_refund_id=name,
            amount_cents=amount,
            currency="USD",
            status="succeeded",
            tax_only=tax_only,
            created=dt.datetime(2026, 12, day, tzinfo=dt.UTC),
        )

    early = refund("re_early", 5000, 1)
    vat = refund("re_vat", 2793, 2, tax_only=True)
    assert allocate_refund_tax(order) == {early.pk: 0, vat.pk: 2793}  # no tax left for the others
    rest = refund("re_rest", 17493 - 5000 - 2793, 3)
    parts = allocate_refund_tax(order)
    assert (parts[rest.pk], sum(parts.values())) == (0, 2793)


@pytest.mark.django_db
def test_a_vat_only_refund_never_takes_more_than_the_tax_and_the_rest_still_adds_up():
    order = make_order([(make_product(price_cents=10000), 1)], tax_cents=1900, total_cents=11900)
    too_much = Refund.objects.create(
        order=order,
        stripe_refund_id="re_vat",
        amount_cents=2500,
        currency="USD",
        status="succeeded",
        tax_only=True,
        created=dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
    )
    assert allocate_refund_tax(order) == {too_much.pk: 1900}
    too_much.tax_only = False
    too_much.save()
    assert allocate_refund_tax(order) == {too_much.pk: 399}  # 1900 × 2500 ÷ 11900 = 399.16, as before
