"""The sandbox's money pages under `make run`: invoices on terms paid by card or bank transfer on their own
page, refunds made from the overview, and cash balance funding beside card sales."""

import pytest

from checkout.stripe_client import stripe_client

CARD_SALE = {
    "mode": "payment",
    "line_items": [
        {
            "price_data": {"currency": "usd", "unit_amount": 1500, "product_data": {"name": "A kit"}},
            "quantity": 2,
        }
    ],
    "invoice_creation": {"enabled": True},
    "success_url": "http://testserver/checkout/success/?session_id={CHECKOUT_SESSION_ID}",
}


@pytest.fixture
def card_sale(fake_stripe) -> dict:
    """A paid Checkout Session with the invoice Stripe makes for it (which has no customer)."""
    session = stripe_client().v1.checkout.sessions.create(params=CARD_SALE)
    return fake_stripe.complete_session(session.id)


@pytest.fixture
def open_invoice(fake_stripe) -> dict:
    """An invoice on terms for 120.00, finalized: what a payment request sends the payer."""
    client = stripe_client().v1
    customer = client.customers.create(params={"email": "ap@studio.example", "name": "Studio Ltd"})
    invoice = client.invoices.create(
        params={"customer": customer.id, "collection_method": "send_invoice", "days_until_due": 30}
    )
    client.invoice_items.create(
        params={"invoice": invoice.id, "customer": customer.id, "amount": 12000, "currency": "usd"}
    )
    return client.invoices.finalize_invoice(invoice.id).to_dict()


def test_a_bank_transfer_pays_the_invoice_on_terms_when_card_sales_have_invoices_too(
    fake_stripe, card_sale, open_invoice
):
    assert fake_stripe.invoices[card_sale["invoice"]].get("customer") is None

    stripe_client().v1.test_helpers.customers.fund_cash_balance(
        open_invoice["customer"], params={"amount": 12000, "currency": "usd"}
    )

    assert fake_stripe.invoices[open_invoice["id"]]["status"] == "paid"
    assert fake_stripe.invoices[card_sale["invoice"]]["status"] == "paid"
    assert [e["type"] for e in fake_stripe.events[-2:]] == [
        "invoice.paid",
        "customer_cash_balance_transaction.created",
    ]
