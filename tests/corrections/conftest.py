"""Fixtures for invoice corrections: the credit notes tests' paid card order (with the invoice Stripe made
after Checkout), a card order with German VAT, and invoices on terms issued or paid."""

import pytest

from checkout.models import Order
from invoicing.models import PaymentRequest
from tests.access.conftest import sign_in  # noqa: F401  (fixture)
from tests.checkout.conftest import (  # noqa: F401  (fixtures used by these tests)
    buy,
    completed_event,
    deliver_event,
    fake_stripe,
    run_ready_tasks,
    run_tasks,
    stripe_server,
)
from tests.checkout.payreq_helpers import (  # noqa: F401
    deliver_new_events,
    fresh_request_throttle,
    payer_link,
    send_request,
)
from tests.credit_notes.conftest import paid  # noqa: F401

HEADER = {
    "company_name": "Northlight Films GmbH",
    "address_line1": "Hafenstrasse 4",
    "address_line2": "",
    "city": "Hamburg",
    "postal_code": "20457",
    "region": "",
    "tax_id": "",
    "po_number": "PO-9001",
}


@pytest.fixture
def paid_with_vat(catalog, buy, deliver_event, fake_stripe) -> Order:  # noqa: F811
    """Two seats bought by card from Germany without a VAT number: 19% VAT charged."""
    _, order = buy("level-i", 2)
    deliver_event(completed_event(fake_stripe, order, business_name="Northlight Films", country="DE"))
    order.refresh_from_db()
    assert order.status == Order.Status.PAID and order.tax_cents > 0 and order.billing_country == "DE"
    return order


def _events(fake, deliver) -> None:
    seen: set[str] = set()
    deliver_new_events(fake, deliver, seen, ("invoice.", "customer_cash_balance_transaction."))


@pytest.fixture
def issued_on_terms(client, catalog, fake_stripe, run_tasks, deliver_event) -> PaymentRequest:  # noqa: F811
    """A payment request whose invoice on terms is issued, not paid yet."""
    _, request = send_request(client)
    run_tasks()
    client.post(payer_link(), {"action": "invoice"})
    run_tasks()
    _events(fake_stripe, deliver_event)
    request.refresh_from_db()
    assert request.state == PaymentRequest.State.ISSUED
    return request


def pay_on_terms(fake_stripe, deliver_event, run_tasks, request: PaymentRequest, paid_by: str) -> None:  # noqa: F811
    if paid_by == "card":
        fake_stripe.pay_invoice(request.stripe_invoice_id)
    else:
        invoice = fake_stripe.invoices[request.stripe_invoice_id]
        fake_stripe.fund_cash_balance(invoice["customer"], invoice["amount_due"])
    _events(fake_stripe, deliver_event)
    run_tasks()
    request.refresh_from_db()
    assert request.state == PaymentRequest.State.PAID
