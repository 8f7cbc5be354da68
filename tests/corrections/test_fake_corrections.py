"""What corrections ask of the fake, through the real stripe library and its parameter types: an invoice
paid out of band (no money moves), and a credit note that refunds (`refund_amount`) on what paid the
invoice, with its refund linked and its events."""

import pytest
import stripe

from checkout.stripe_client import stripe_client

pytestmark = pytest.mark.django_db


def _open_invoice(fake_stripe) -> str:
    client = stripe_client().v1
    customer = client.customers.create(params={"name": "Studio Ltd", "email": "ap@studio.example"})
    invoice = client.invoices.create(
        params={
            "customer": customer.id,
            "currency": "usd",
            "collection_method": "send_invoice",
            "days_until_due": 30,
        }
    )
    client.invoice_items.create(
        params={"customer": customer.id, "invoice": invoice.id, "currency": "usd", "amount": 4200}
    )
    client.invoices.finalize_invoice(invoice.id)
    return invoice.id


def test_an_invoice_paid_out_of_band_is_paid_with_no_payment(fake_stripe):
    invoice_id = _open_invoice(fake_stripe)

    paid = stripe_client().v1.invoices.pay(invoice_id, params={"paid_out_of_band": True}).to_dict()

    assert paid["status"] == "paid" and paid["paid_out_of_band"] and paid["amount_paid"] == 4200
    assert paid["payments"]["data"] == [] and not fake_stripe.payment_intents
    assert fake_stripe.events[-1]["type"] == "invoice.paid"
    with pytest.raises(stripe.InvalidRequestError, match="only an open one"):
        stripe_client().v1.invoices.pay(invoice_id, params={"paid_out_of_band": True})


def test_paying_without_out_of_band_or_with_an_unknown_parameter_is_refused(fake_stripe):
    invoice_id = _open_invoice(fake_stripe)

    with pytest.raises(stripe.InvalidRequestError, match="only an open one is marked paid out of band"):
        stripe_client().v1.invoices.pay(invoice_id)
    with pytest.raises(stripe.InvalidRequestError, match="unknown parameter: out_of_band"):
        stripe_client().v1.invoices.pay(invoice_id, params={"out_of_band": True})
    assert fake_stripe.invoices[invoice_id]["status"] == "open"


def test_a_credit_note_with_a_refund_amount_refunds_the_checkout_payment_and_links_it(paid, fake_stripe):
    note = (
        stripe_client()
        .v1.credit_notes.create(
            params={
                "invoice": paid.invoice_id,
                "amount": paid.total_cents,
                "refund_amount": 700,
                "out_of_band_amount": paid.total_cents - 700,
            }
        )
        .to_dict()
    )

    [refund] = fake_stripe.refunds.values()
    assert refund["amount"] == 700 and refund["status"] == "succeeded"
    assert note["refunds"] == [{"refund": refund["id"], "amount_refunded": 700, "type": "refund"}]
    assert [e["type"] for e in fake_stripe.events[-3:]] == [
        "refund.created",
        "charge.refunded",
        "credit_note.created",
    ]


def test_a_refund_amount_past_what_the_payment_has_left_is_refused_and_nothing_made(paid, fake_stripe):
    fake_stripe.refund(paid.stripe_session_id, amount=paid.total_cents - 100)

    with pytest.raises(stripe.InvalidRequestError, match="more than is left to refund"):
        stripe_client().v1.credit_notes.create(
            params={"invoice": paid.invoice_id, "amount": 500, "refund_amount": 500}
        )

    assert len(fake_stripe.refunds) == 1 and not fake_stripe.credit_notes
