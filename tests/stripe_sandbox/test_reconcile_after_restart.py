"""`manage.py reconcile_stripe` after `make run` restarted the sandbox, which forgets everything: what Stripe
no longer knows is named and skipped, and the rest is still brought in line."""

import pytest

from checkout.models import Order
from invoicing.models import PaymentRequest
from tests.checkout.conftest import run_ready_tasks
from tests.checkout.payreq_helpers import fresh_request_throttle, payer_link, send_request  # noqa: F401  (autouse)
from tests.checkout.test_reconcile import reconcile_lines


@pytest.fixture(autouse=True)
def patient_stripe(fake_stripe, settings):
    settings.STRIPE_TIMEOUT_SECONDS = 10
    return fake_stripe


def test_a_session_the_restarted_sandbox_forgot_is_skipped_and_the_others_converge(fake_stripe, catalog, buy):
    _, forgotten = buy("level-i")
    fake_stripe.reset()  # the sandbox restarted: its store is empty
    _, paid = buy("bundle", 3)
    fake_stripe.complete_session(paid.stripe_session_id, email="quiet@example.com")

    lines = reconcile_lines()

    assert (
        f"session {forgotten.stripe_session_id} is unknown to Stripe; skipped ({forgotten.reference})"
        in lines
    )
    assert any(line.startswith(f"{paid.reference}: pending -> paid") for line in lines), lines
    forgotten.refresh_from_db()
    paid.refresh_from_db()
    assert (forgotten.status, paid.status) == (Order.Status.PENDING, Order.Status.PAID)
    assert reconcile_lines("--sweep") == [
        f"session {forgotten.stripe_session_id} is unknown to Stripe; skipped ({forgotten.reference})"
    ]
    assert reconcile_lines() == [], "the events pass has no event about it, so nothing to say"


def test_other_stripe_errors_still_stop_the_command(fake_stripe, catalog, buy):
    from django.core.management import CommandError

    buy("level-i")
    fake_stripe.fail_next("card_error", times=10)

    with pytest.raises(CommandError, match="Stripe answered with an error"):
        reconcile_lines()


def test_an_invoice_on_terms_the_restarted_sandbox_forgot_is_skipped(fake_stripe, catalog, client):
    _, request = send_request(client)
    run_ready_tasks()
    client.post(payer_link(), {"action": "invoice"})
    run_ready_tasks()
    request.refresh_from_db()
    assert request.stripe_invoice_id and request.state == PaymentRequest.State.ISSUED
    fake_stripe.reset()

    lines = reconcile_lines()

    assert (
        f"invoice {request.stripe_invoice_id} is unknown to Stripe; skipped ({request.order.reference})"
        in lines
    )
    request.refresh_from_db()
    assert request.state == PaymentRequest.State.ISSUED
