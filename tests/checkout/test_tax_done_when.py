"""Issue 27's "Done when", end to end through the fake Stripe (which answers as Stripe Tax for the fixed
cases of stripe_sandbox/tax.py): a German consumer pays 19% VAT and sees it on the confirmation and in the
orders export; a German business with a VAT number reads "Reverse charge" with the number on the success
page, the purchases page and the confirmation, and the export says reverse_charge with the number."""

from django.core import mail
from django.urls import reverse

from checkout.models import Order
from finance.export import ExportFilter, csv_stream
from tests.access.conftest import sign_in  # noqa: F401  (the fixture)
from tests.checkout.conftest import completed_event
from tests.finance.conftest import read_csv

REVERSE_CHARGE = "Reverse charge: the buyer accounts for VAT. VAT number DE136695976."


def export_row(order: Order) -> dict[str, str]:
    rows = read_csv("".join(csv_stream(ExportFilter())))
    (row,) = [r for r in rows if r["order_reference"] == order.reference]
    return row


def test_a_german_consumer_sees_the_vat_on_the_confirmation_and_in_the_export(
    catalog, buy, fake_stripe, deliver_event
):
    _, order = buy("level-i")
    deliver_event(completed_event(fake_stripe, order, country="DE", email="kim@example.de"))
    order.refresh_from_db()

    (confirmation,) = [m for m in mail.outbox if m.to == ["kim@example.de"] and "confirmed" in m.subject]
    assert "VAT: $27.93" in confirmation.body and "Total paid: $174.93" in confirmation.body
    assert "Reverse charge" not in confirmation.body
    row = export_row(order)
    assert (row["order_tax"], row["billing_country"], row["taxability_reason"], row["tax_behavior"]) == (
        "27.93",
        "DE",
        "standard_rated",
        "exclusive",
    )


def test_a_german_business_reads_reverse_charge_with_its_number_on_every_receipt_and_in_the_export(
    catalog,
    buy,
    client,
    sign_in,  # noqa: F811  (the fixture imported above)
    fake_stripe,
    deliver_event,
):
    _, order = buy("level-i")
    event = completed_event(
        fake_stripe,
        order,
        country="DE",
        email="lee@studio.example",
        business_name="Studio GmbH",
        tax_ids=[{"type": "eu_vat", "value": "DE136695976"}],
    )
    deliver_event(event)
    order.refresh_from_db()

    success = client.get(reverse("checkout:success"), {"session_id": order.stripe_session_id})
    sign_in("lee@studio.example")
    purchases = client.get(reverse("access:purchases"))
    (confirmation,) = [m for m in mail.outbox if m.to == ["lee@studio.example"] and "confirmed" in m.subject]
    for text in (success.content.decode(), purchases.content.decode(), confirmation.alternatives[0][0]):
        assert REVERSE_CHARGE in text.replace("<strong>", "").replace("</strong>", "")
    assert REVERSE_CHARGE in confirmation.body and "VAT:" not in confirmation.body
    row = export_row(order)
    assert (row["order_tax"], row["taxability_reason"], row["tax_ids"]) == (
        "0.00",
        "reverse_charge",
        "eu_vat DE136695976",
    )
