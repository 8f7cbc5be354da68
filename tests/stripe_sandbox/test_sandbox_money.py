"""The sandbox's money pages under `make run`: invoices on terms paid by card or bank transfer on their own
page, refunds made from the overview, and cash balance funding beside card sales."""

import pytest

from checkout.stripe_client import stripe_client
from stripe_sandbox.hosted import MARK_CLASS
from tests.stripe_sandbox.test_sandbox import page

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


@pytest.fixture
def pages(fake_stripe):
    """The fake serving its own invoice pages, as `make run`'s sandbox does."""
    fake_stripe.invoice_pages = True
    yield fake_stripe
    fake_stripe.invoice_pages = False


def test_an_invoice_on_terms_has_its_own_page_listed_on_the_overview(pages, open_invoice):
    invoice = open_invoice
    invoice_url = pages.invoices[invoice["id"]]["hosted_invoice_url"]
    assert invoice_url == f"{pages.url}/i/{invoice['id']}"

    status, html, _ = page(invoice_url)
    assert status == 200
    assert f'class="{MARK_CLASS}"' in html
    assert "USD 120.00" in html and 'id="status">open<' in html
    assert f'action="/i/{invoice["id"]}/pay"' in html and f'action="/i/{invoice["id"]}/transfer"' in html
    assert f'href="/i/{invoice["id"]}"' in page(f"{pages.url}/")[1]
    before = len(pages.events)
    for action in ("pay", "transfer"):
        assert page(f"{invoice_url}/{action}")[0] == 404  # a GET changes nothing
    assert pages.invoices[invoice["id"]]["status"] == "open" and len(pages.events) == before


def test_pay_by_card_on_the_invoice_page_marks_it_paid_and_emits_invoice_paid(pages, open_invoice):
    url = pages.invoices[open_invoice["id"]]["hosted_invoice_url"]

    status, _, location = page(f"{url}/pay", {})

    assert (status, location) == (303, f"/i/{open_invoice['id']}")
    assert pages.invoices[open_invoice["id"]]["status"] == "paid"
    assert pages.events[-1]["type"] == "invoice.paid"
    assert 'id="status">paid<' in page(url)[1]
    assert page(f"{url}/pay", {})[0] == 400  # paying twice is refused


def test_a_partial_bank_transfer_waits_on_the_balance_and_the_rest_pays_the_invoice(pages, open_invoice):
    url = pages.invoices[open_invoice["id"]]["hosted_invoice_url"]

    assert page(f"{url}/transfer", {"amount": "45.50"})[0] == 303
    assert pages.invoices[open_invoice["id"]]["status"] == "open"
    assert pages.events[-1]["type"] == "customer_cash_balance_transaction.created"
    assert pages.events[-1]["data"]["object"]["net_amount"] == 4550
    assert "cash balance holds USD 45.50" in page(url)[1]
    assert page(f"{url}/transfer", {"amount": "lots"})[0] == 400

    assert page(f"{url}/transfer", {"amount": "74.50"})[0] == 303

    assert pages.invoices[open_invoice["id"]]["status"] == "paid"
    assert [e["type"] for e in pages.events[-2:]] == [
        "invoice.paid",
        "customer_cash_balance_transaction.created",
    ]


def test_an_empty_transfer_amount_sends_the_full_amount(pages, open_invoice):
    url = pages.invoices[open_invoice["id"]]["hosted_invoice_url"]

    assert page(f"{url}/transfer", {"amount": ""})[0] == 303

    assert pages.invoices[open_invoice["id"]]["status"] == "paid"


def test_the_overview_refunds_a_payment_in_part_then_in_full_with_stripes_events(fake_stripe, card_sale):
    intent = card_sale["payment_intent"]
    overview = page(f"{fake_stripe.url}/")[1]
    assert f'action="/payments/{intent}/refund"' in overview
    assert page(f"{fake_stripe.url}/payments/{intent}/refund")[0] == 404  # a GET changes nothing

    status, _, location = page(f"{fake_stripe.url}/payments/{intent}/refund", {"amount": "10"})

    assert (status, location) == (303, "/#payments")
    assert [e["type"] for e in fake_stripe.events[-2:]] == ["refund.created", "charge.refunded"]
    assert fake_stripe.events[-2]["data"]["object"]["amount"] == 1000
    assert fake_stripe.charge_for(card_sale["id"])["amount_refunded"] == 1000

    assert page(f"{fake_stripe.url}/payments/{intent}/refund", {"amount": ""})[0] == 303
    assert fake_stripe.events[-2]["data"]["object"]["amount"] == 2000
    assert fake_stripe.charge_for(card_sale["id"])["refunded"] is True
    status, html, _ = page(f"{fake_stripe.url}/payments/{intent}/refund", {})
    assert status == 400 and "already been refunded" in html
