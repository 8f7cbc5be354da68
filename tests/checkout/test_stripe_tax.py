"""Stripe Tax on card purchases: every Checkout Session asks for it with each line's tax code and the tax
behaviour; the order records what Stripe Tax charged (the fake answers the fixed cases of
stripe_sandbox/tax.py); figures that do not add up are flagged, never recorded; a reverse charge is shown
with the buyer's VAT number."""

import pytest
from django.core import mail
from django.urls import reverse

from checkout.models import Order
from tests.checkout.conftest import completed_event
from tests.factories import make_product

GERMAN_VAT = [{"type": "eu_vat", "value": "DE123456789"}]
REVERSE_CHARGE = "Reverse charge: the buyer accounts for VAT"


def paid(fake_stripe, order, deliver_event, **session_fields) -> Order:
    deliver_event(completed_event(fake_stripe, order, **session_fields))
    order.refresh_from_db()
    return order


def test_the_session_asks_stripe_tax_with_each_lines_tax_code_and_behaviour(catalog, buy, fake_stripe):
    buy("level-i")
    buy("resume-kit")

    course, kit = (request.form for request in fake_stripe.session_requests()[-2:])
    assert course["automatic_tax"] == {"enabled": "true"}
    assert course["billing_address_collection"] == "required"
    assert course["tax_id_collection"] == {"enabled": "true"}
    course_price = course["line_items"][0]["price_data"]
    kit_price = kit["line_items"][0]["price_data"]
    assert (course_price["tax_behavior"], course_price["product_data"]["tax_code"]) == (
        "exclusive",
        "txcd_20060158",
    )
    assert kit_price["product_data"]["tax_code"] == "txcd_10503000"


def test_a_staff_chosen_tax_code_is_the_one_sent(catalog, buy, fake_stripe):
    catalog["level-i"].tax_code = "txcd_20060058"
    catalog["level-i"].save()

    buy("level-i")

    product_data = fake_stripe.session_requests()[-1].form["line_items"][0]["price_data"]["product_data"]
    assert product_data["tax_code"] == "txcd_20060058"


@pytest.mark.parametrize(
    "country, tax_ids, rate, reason",
    [
        ("GB", [], 20, "standard_rated"),
        ("DE", [], 19, "standard_rated"),
        ("DE", GERMAN_VAT, 0, "reverse_charge"),
        ("US", [], 0, "not_collecting"),
    ],
)
def test_the_order_records_the_tax_stripe_charged(
    catalog, buy, fake_stripe, deliver_event, country, tax_ids, rate, reason
):
    _, order = buy("level-i", 2)
    subtotal = order.subtotal_cents

    order = paid(fake_stripe, order, deliver_event, country=country, tax_ids=tax_ids)

    tax = round(subtotal * rate / 100)
    assert order.status == Order.Status.PAID and not order.needs_review
    assert (order.tax_cents, order.total_cents) == (tax, subtotal + tax)
    assert (order.taxability_reason, order.billing_country, order.tax_behavior) == (
        reason,
        country,
        "exclusive",
    )
    assert order.history.filter(kind="tax", message__contains=reason).exists()
    assert order.is_reverse_charge == (reason == "reverse_charge")


def test_a_german_business_reads_reverse_charge_with_its_vat_number_everywhere(
    catalog, buy, client, fake_stripe, deliver_event
):
    _, order = buy("level-i")
    order = paid(
        fake_stripe, order, deliver_event, country="DE", tax_ids=GERMAN_VAT, business_name="Studio GmbH"
    )

    success = client.get(
        reverse("checkout:success"), {"session_id": order.stripe_session_id}
    ).content.decode()
    (email,) = [m for m in mail.outbox if m.to == [order.email]]
    html = email.alternatives[0][0]

    for text in (success, email.body, html):
        assert f"{REVERSE_CHARGE}. VAT number DE123456789." in text.replace("<strong>", "").replace(
            "</strong>", ""
        )


def test_a_german_consumer_sees_the_vat_and_no_reverse_charge(
    catalog, buy, client, fake_stripe, deliver_event
):
    _, order = buy("level-i")
    order = paid(fake_stripe, order, deliver_event, country="DE")

    success = client.get(
        reverse("checkout:success"), {"session_id": order.stripe_session_id}
    ).content.decode()
    (email,) = [m for m in mail.outbox if m.to == [order.email]]

    assert "$27.93" in success and "VAT: $27.93" in email.body  # 19% of $147
    assert REVERSE_CHARGE not in success and REVERSE_CHARGE not in email.body


def test_tax_lines_that_do_not_add_up_to_the_tax_total_flag_the_order_and_record_nothing(
    catalog, buy, fake_stripe, deliver_event
):
    _, order = buy("level-i")
    event = completed_event(fake_stripe, order, country="DE")
    fake_stripe.sessions[order.stripe_session_id]["_tax_breakdown"]["taxes"][0]["amount"] = 1

    deliver_event(event)

    order.refresh_from_db()
    assert order.needs_review and "tax lines add up to $0.01" in order.review_reason
    assert order.status == Order.Status.PENDING
    assert (order.tax_cents, order.taxability_reason) == (0, "")


def test_a_total_that_leaves_out_the_tax_is_flagged(catalog, buy, fake_stripe, deliver_event):
    _, order = buy("level-i")
    order = paid(fake_stripe, order, deliver_event, country="GB", amount_total=14700)

    assert order.needs_review and order.status == Order.Status.PENDING
    assert order.tax_cents == 0


def test_inclusive_prices_keep_the_total_and_record_the_vat_inside_it(
    catalog, buy, client, fake_stripe, deliver_event, settings
):
    settings.TAX_BEHAVIOR = "inclusive"
    review = client.get(reverse("checkout:review", kwargs={"slug": "level-i"})).content.decode()
    _, order = buy("level-i")

    assert "including VAT" in review and "plus VAT" not in review
    price_data = fake_stripe.session_requests()[-1].form["line_items"][0]["price_data"]
    assert price_data["tax_behavior"] == "inclusive"
    order = paid(fake_stripe, order, deliver_event, country="GB")
    assert order.status == Order.Status.PAID and not order.needs_review
    assert (order.total_cents, order.tax_cents, order.tax_behavior) == (14700, 2450, "inclusive")


def test_exclusive_prices_say_vat_is_added_where_it_applies(catalog, client, fake_stripe):
    page = client.get(reverse("checkout:review", kwargs={"slug": "level-i"})).content.decode()

    assert "plus VAT where it applies" in page and "including VAT" not in page


def test_a_yen_order_is_taxed_in_whole_yen(db, buy, fake_stripe, deliver_event):
    product = make_product(price_cents=14700, currency="JPY", kind="course")
    _, order = buy(product.slug)

    order = paid(fake_stripe, order, deliver_event, country="DE")

    assert (order.tax_cents, order.total_cents) == (2793, 17493)
    assert not order.needs_review


def test_a_session_read_without_its_breakdown_keeps_the_recorded_reason(
    catalog, buy, fake_stripe, deliver_event
):
    from payments.sessions import converge_session
    from stripe_sandbox.state import public

    _, order = buy("level-i")
    order = paid(fake_stripe, order, deliver_event, country="DE", tax_ids=GERMAN_VAT)
    notes = order.history.filter(kind="tax").count()

    converge_session(public(fake_stripe.sessions[order.stripe_session_id]), source="test")

    order.refresh_from_db()
    assert (
        order.taxability_reason == "reverse_charge" and order.history.filter(kind="tax").count() == notes == 1
    )
