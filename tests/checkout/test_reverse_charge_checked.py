"""Nothing is called a reverse charge on a VAT number the tax registry has not confirmed: Stripe Tax's
reverse_charge on a paid order reads "Reverse charge" only once the registry says the number is registered;
while it is being checked (or cannot be) the receipts say so, and a rejected number flags the order for
review with the reason, emails the buyer, and the receipts say plainly it is not a reverse-charge sale.
The registry here is the fake (tax.registry.fake_check): ...000 is rejected, ...999 finds it down."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from checkout.emails import confirmation_message
from checkout.models import Order
from checkout.reverse_charge import CHECKING, CONFIRMED, REJECTED
from payments.confirmation import VAT_CHECK_WAIT, send_order_confirmation, waits_for_vat_check
from tax.models import TaxIdCheck
from tests.checkout.conftest import completed_event
from tests.checkout.payreq_helpers import fresh_request_throttle, payer_link, send_request  # noqa: F401  (the fixture: autouse)

REVERSE_CHARGE = "Reverse charge: the buyer accounts for VAT"


def pay_as_german_business(fake_stripe, buy, deliver_event, vat_number: str) -> Order:
    _, order = buy("level-i")
    tax_ids = [{"type": "eu_vat", "value": vat_number}]
    deliver_event(completed_event(fake_stripe, order, country="DE", tax_ids=tax_ids, business_name="Studio"))
    order.refresh_from_db()
    assert (order.tax_cents, order.taxability_reason) == (0, "reverse_charge")
    return order


def pages(client, order: Order) -> list[str]:
    success = client.get(reverse("checkout:success"), {"session_id": order.stripe_session_id}).content
    message = confirmation_message(order)
    return [success.decode(), message.body, message.alternatives[0][0]]


def test_a_number_the_registry_confirmed_reads_reverse_charge(
    catalog, buy, client, fake_stripe, deliver_event
):
    order = pay_as_german_business(fake_stripe, buy, deliver_event, "DE136695976")

    assert TaxIdCheck.objects.get(subject_id=order.pk).result == TaxIdCheck.Result.VALID
    assert order.reverse_charge == CONFIRMED and order.is_reverse_charge
    for text in pages(client, order):
        assert REVERSE_CHARGE in text and "DE136695976" in text


def test_a_rejected_number_is_never_called_a_reverse_charge_and_the_order_and_buyer_hear_why(
    catalog, buy, client, fake_stripe, deliver_event
):
    order = pay_as_german_business(fake_stripe, buy, deliver_event, "DE123456000")

    assert order.reverse_charge == REJECTED and not order.is_reverse_charge
    assert order.needs_review and "rejected the buyer's VAT number DE123456000" in order.review_reason
    assert "no such number" in order.review_reason  # the registry's reason
    told = [m for m in mail.outbox if m.to == [order.email] and "DE123456000" in m.body]
    assert any("did not confirm it" in m.body for m in told)
    for text in pages(client, order):
        assert REVERSE_CHARGE not in text
        assert "not treated as a reverse-charge sale" in text and "DE123456000" in text


def test_a_number_still_being_checked_says_so_and_is_not_called_a_reverse_charge(
    catalog, buy, client, fake_stripe, deliver_event
):
    order = pay_as_german_business(fake_stripe, buy, deliver_event, "DE123456999")  # the registry is down

    assert TaxIdCheck.objects.get(subject_id=order.pk).result == TaxIdCheck.Result.UNCHECKED
    assert order.reverse_charge == CHECKING and not order.needs_review
    for text in pages(client, order):
        assert REVERSE_CHARGE not in text
        assert "is being checked with the official tax registry" in text and "DE123456999" in text


def test_the_confirmation_waits_a_little_for_the_check_then_goes_out_saying_it_is_being_checked(
    catalog, buy, fake_stripe, deliver_event
):
    order = pay_as_german_business(fake_stripe, buy, deliver_event, "DE123456999")

    assert waits_for_vat_check(order)
    assert not [m for m in mail.outbox if m.to == [order.email] and "confirmed" in m.subject]
    retry = DBTaskResult.objects.filter(task_path=send_order_confirmation.module_path).order_by("-pk").first()
    assert retry is not None and retry.run_after > timezone.now()  # tried again shortly
    order.paid_at = timezone.now() - VAT_CHECK_WAIT - dt.timedelta(seconds=1)
    assert not waits_for_vat_check(order)


def test_with_the_registry_off_nothing_is_called_a_reverse_charge(
    catalog, buy, fake_stripe, deliver_event, settings
):
    settings.TAX_ID_REGISTRY = "off"

    order = pay_as_german_business(fake_stripe, buy, deliver_event, "DE136695976")

    assert TaxIdCheck.objects.get(subject_id=order.pk).result == TaxIdCheck.Result.UNCHECKED
    assert order.reverse_charge == CHECKING


def test_a_number_no_registry_was_asked_about_is_not_called_a_reverse_charge(catalog, db):
    from tests.factories import make_order

    order = make_order([(catalog["level-i"], 1)], taxability_reason="reverse_charge", tax_ids="eu_vat X1")

    assert not TaxIdCheck.objects.exists()
    assert order.reverse_charge == CHECKING and not order.is_reverse_charge


def test_another_orders_confirmed_check_of_the_same_number_does_not_confirm_this_one(catalog, db):
    from tests.factories import make_order

    this = make_order(
        [(catalog["level-i"], 1)], taxability_reason="reverse_charge", tax_ids="eu_vat DE136695976"
    )
    other = make_order(
        [(catalog["level-i"], 1)], taxability_reason="reverse_charge", tax_ids="eu_vat DE136695976"
    )
    TaxIdCheck.objects.create(
        purpose=TaxIdCheck.Purpose.ORDER,
        subject_id=other.pk,
        order_id=other.pk,
        country="DE",
        number="DE136695976",
        result=TaxIdCheck.Result.VALID,
    )

    assert other.reverse_charge == CONFIRMED
    assert this.reverse_charge == CHECKING


def test_a_consumer_or_a_taxed_sale_has_no_reverse_charge_line(catalog, db):
    from tests.factories import make_order

    taxed = make_order([(catalog["level-i"], 1)], taxability_reason="reverse_charge", tax_cents=100)
    consumer = make_order([(catalog["level-i"], 1)], taxability_reason="standard_rated")

    assert taxed.reverse_charge == consumer.reverse_charge == ""


def test_a_payment_requests_rejected_number_keeps_its_invoice_from_reading_reverse_charge(
    client, catalog, fake_stripe, run_tasks
):
    _, request = send_request(client, slug="level-i", billing_country="DE", tax_id="DE123456000")
    run_tasks()
    client.post(payer_link(), {"action": "invoice"})
    run_tasks()

    order = Order.objects.get(pk=request.order_id)
    assert order.taxability_reason == "reverse_charge" and order.tax_cents == 0
    assert order.reverse_charge == REJECTED
    assert order.needs_review and "DE123456000" in order.review_reason


@pytest.mark.parametrize("number, state", [("DE136695976", CONFIRMED), ("DE123456999", CHECKING)])
def test_a_payment_requests_number_counts_for_its_order(
    client, catalog, fake_stripe, run_tasks, number, state
):
    _, request = send_request(client, slug="level-i", billing_country="DE", tax_id=number)
    run_tasks()
    client.post(payer_link(), {"action": "invoice"})
    run_tasks()

    assert Order.objects.get(pk=request.order_id).reverse_charge == state


def test_a_payers_corrected_number_replaces_the_rejected_one(client, catalog, fake_stripe, run_tasks):
    _, request = send_request(client, slug="level-i", billing_country="DE", tax_id="DE123456000")
    run_tasks()
    order = Order.objects.get(pk=request.order_id)
    Order.objects.filter(pk=order.pk).update(taxability_reason="reverse_charge")
    order.refresh_from_db()
    assert order.reverse_charge == REJECTED

    fields = {
        f"billto-{name}": value
        for name, value in {
            "company_name": "Studio GmbH",
            "tax_id": "DE136695976",
            "billing_country": "DE",
            "address_line1": "1 Studiostraße",
            "city": "Berlin",
        }.items()
    }
    client.post(payer_link(), {"action": "details", **fields})
    run_tasks()

    order.refresh_from_db()
    assert order.vat_numbers == "DE136695976"
    assert order.reverse_charge == CONFIRMED
