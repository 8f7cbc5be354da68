"""The signed Stripe webhook: verification, idempotency, ordering, amounts, async payments and refunds."""

import json
import time

import pytest
from django.core import mail

from catalog.money import format_money
from checkout.models import Order
from payments.models import StripeEvent
from tests.checkout.conftest import WEBHOOK_URL, completed_event, run_ready_tasks, signed_post
from tests.stripe_fake import make_event, sign_payload


@pytest.fixture
def order(catalog, buy):
    """A pending order for two Level I seats with its Checkout Session on the fake."""
    response, order = buy("level-i", 2)
    assert response.status_code == 303
    return order


def snapshot(order: Order) -> dict:
    order.refresh_from_db()
    return {
        field: getattr(order, field)
        for field in ("status", "email", "paid_at", "total_cents", "amount_refunded_cents", "needs_review")
    }


# Verification: every refusal is a 400 that changes nothing.


def test_bad_signature_is_refused(client, fake_stripe, order):
    before = snapshot(order)
    body = json.dumps(completed_event(fake_stripe, order)).encode()

    response = signed_post(client, body, secret="whsec_someone_else")

    assert response.status_code == 400
    assert snapshot(order) == before
    assert StripeEvent.objects.count() == 0


def test_missing_signature_header_is_refused(client, fake_stripe, order):
    before = snapshot(order)
    body = json.dumps(completed_event(fake_stripe, order)).encode()

    response = client.post(WEBHOOK_URL, body, content_type="application/json")

    assert response.status_code == 400
    assert snapshot(order) == before
    assert StripeEvent.objects.count() == 0


def test_stale_timestamp_is_refused(client, fake_stripe, order):
    before = snapshot(order)
    body = json.dumps(completed_event(fake_stripe, order)).encode()

    response = signed_post(client, body, timestamp=int(time.time()) - 301)

    assert response.status_code == 400
    assert snapshot(order) == before
    assert StripeEvent.objects.count() == 0


def test_body_changed_after_signing_is_refused(client, fake_stripe, order):
    body = json.dumps(completed_event(fake_stripe, order)).encode()
    header = sign_payload(body, "whsec_test_fake_webhook_secret")

    response = client.post(
        WEBHOOK_URL,
        body.replace(b'"paid"', b'"PAID"'),
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=header,
    )

    assert response.status_code == 400
    assert StripeEvent.objects.count() == 0


def test_livemode_event_is_refused(fake_stripe, order, deliver_event):
    before = snapshot(order)
    session = fake_stripe.complete_session(order.stripe_session_id)

    response = deliver_event(make_event("checkout.session.completed", session, livemode=True))

    assert response.status_code == 400
    assert snapshot(order) == before
    assert StripeEvent.objects.count() == 0
    assert mail.outbox == []


def test_body_over_one_megabyte_is_refused_before_verifying(client, fake_stripe, order):
    body = b'{"padding": "' + b"x" * (1024 * 1024) + b'"}'

    response = signed_post(client, body)

    assert response.status_code == 413
    assert StripeEvent.objects.count() == 0


@pytest.mark.parametrize(
    "body", [b"not json at all", b"[1, 2]", b'{"id": "evt_1", "type": "x"}', b"\xff\xfe"]
)
def test_signed_body_that_is_not_an_event_is_refused(client, db, fake_stripe, body):
    response = signed_post(client, body)

    assert response.status_code == 400
    assert StripeEvent.objects.count() == 0


def test_webhook_without_a_configured_secret_asks_stripe_to_retry(client, fake_stripe, order, settings):
    settings.STRIPE_WEBHOOK_SECRET = ""
    body = json.dumps(completed_event(fake_stripe, order)).encode()

    response = signed_post(client, body)

    assert response.status_code == 503
    assert StripeEvent.objects.count() == 0


def test_webhook_is_csrf_exempt_and_post_only(fake_stripe, order):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    body = json.dumps(completed_event(fake_stripe, order)).encode()

    assert signed_post(strict, body).status_code == 200
    assert strict.get(WEBHOOK_URL).status_code == 405


# Idempotency and ordering.


def test_redelivered_event_changes_nothing(fake_stripe, order, deliver_event, caplog):
    event = completed_event(fake_stripe, order)

    with caplog.at_level("INFO", logger="checkout"):
        answers = [deliver_event(event) for _ in range(5)]

    assert [a.status_code for a in answers] == [200] * 5
    assert [a.content for a in answers] == [b"processed"] + [b"duplicate"] * 4
    transitions = [r.getMessage() for r in caplog.records if "-> paid" in r.getMessage()]
    assert transitions == [f"order {order.reference} {event['id']}: pending -> paid"]
    assert StripeEvent.objects.get().order == order
    assert len(mail.outbox) == 1


def test_a_second_event_for_a_paid_session_sends_no_second_email(fake_stripe, order, deliver_event):
    deliver_event(completed_event(fake_stripe, order))
    paid_at = snapshot(order)["paid_at"]
    session = fake_stripe.sessions[order.stripe_session_id]

    deliver_event(make_event("checkout.session.async_payment_succeeded", session))

    assert snapshot(order)["paid_at"] == paid_at
    assert StripeEvent.objects.count() == 2
    assert len(mail.outbox) == 1


def test_expired_after_completed_leaves_the_order_paid(fake_stripe, order, deliver_event):
    deliver_event(completed_event(fake_stripe, order))
    session = fake_stripe.sessions[order.stripe_session_id]

    response = deliver_event(make_event("checkout.session.expired", {**session, "status": "expired"}))

    assert response.status_code == 200
    assert snapshot(order)["status"] == Order.Status.PAID


def test_refund_delivered_before_completion_ends_paid_then_refunded_with_one_email(
    fake_stripe, order, deliver_event
):
    session = fake_stripe.complete_session(order.stripe_session_id)
    refund = fake_stripe.refund(order.stripe_session_id)
    deliver_event(make_event("charge.refunded", fake_stripe.charge_for(order.stripe_session_id)))

    after = snapshot(order)
    assert after["status"] == Order.Status.REFUNDED
    assert after["paid_at"] is not None
    assert order.refunds.get().stripe_refund_id == refund["id"]
    # One confirmation (and, since issue 20, the refund's own receipt).
    assert sorted(m.subject.split()[0] for m in mail.outbox) == ["Refund", "Your"]

    deliver_event(make_event("checkout.session.completed", session))

    assert snapshot(order)["status"] == Order.Status.REFUNDED
    assert len(mail.outbox) == 2


def test_expired_session_expires_a_pending_order(fake_stripe, order, deliver_event):
    session = fake_stripe.set_session(order.stripe_session_id, status="expired")

    deliver_event(make_event("checkout.session.expired", session))

    assert snapshot(order)["status"] == Order.Status.EXPIRED


def test_payment_for_an_order_already_failed_is_flagged_for_staff(fake_stripe, order, deliver_event):
    Order.objects.filter(pk=order.pk).update(status=Order.Status.FAILED)

    deliver_event(completed_event(fake_stripe, order))

    order.refresh_from_db()
    assert order.status == Order.Status.FAILED
    assert order.needs_review is True
    assert "received money but the order is failed" in order.review_reason
    assert mail.outbox == []


# Amounts.


@pytest.mark.parametrize(
    "tampering",
    [{"amount_total": 1}, {"currency": "eur"}],
    ids=["amount", "currency"],
)
def test_amount_or_currency_mismatch_is_flagged_not_paid(fake_stripe, order, deliver_event, tampering):
    response = deliver_event(completed_event(fake_stripe, order, **tampering))

    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING
    assert order.needs_review is True
    assert order.stripe_session_id in order.review_reason
    assert order.paid_at is None
    assert mail.outbox == []


def test_discount_and_tax_from_the_session_are_recorded(fake_stripe, order, deliver_event):
    subtotal = order.subtotal_cents

    deliver_event(completed_event(fake_stripe, order, amount_discount=500, amount_tax=120))

    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert (order.subtotal_cents, order.discount_cents, order.tax_cents) == (subtotal, 500, 120)
    assert order.total_cents == subtotal - 500 + 120


# Delayed payment methods.


def test_async_payment_success_marks_paid_after_processing(fake_stripe, order, deliver_event):
    deliver_event(completed_event(fake_stripe, order, payment_status="unpaid"))
    assert snapshot(order)["status"] == Order.Status.PROCESSING
    assert mail.outbox == []

    session = fake_stripe.set_session(order.stripe_session_id, payment_status="paid")
    deliver_event(make_event("checkout.session.async_payment_succeeded", session))

    assert snapshot(order)["status"] == Order.Status.PAID
    assert len(mail.outbox) == 1


def test_async_payment_failure_fails_the_order(fake_stripe, order, deliver_event):
    deliver_event(completed_event(fake_stripe, order, payment_status="unpaid"))

    session = fake_stripe.settle_async(order.stripe_session_id, succeeded=False)
    deliver_event(make_event("checkout.session.async_payment_failed", session))

    assert snapshot(order)["status"] == Order.Status.FAILED
    session = fake_stripe.set_session(order.stripe_session_id, payment_status="paid")
    deliver_event(make_event("checkout.session.async_payment_succeeded", session))
    assert snapshot(order)["status"] == Order.Status.FAILED
    assert mail.outbox == []


# Refunds.


def test_partial_then_full_refund_are_two_dated_records(fake_stripe, order, deliver_event):
    deliver_event(completed_event(fake_stripe, order))
    total = snapshot(order)["total_cents"]

    fake_stripe.refund(order.stripe_session_id, amount=1000)
    deliver_event(make_event("charge.refunded", fake_stripe.charge_for(order.stripe_session_id)))
    after_partial = snapshot(order)
    fake_stripe.refund(order.stripe_session_id)
    deliver_event(make_event("charge.refunded", fake_stripe.charge_for(order.stripe_session_id)))
    after_full = snapshot(order)

    assert (after_partial["status"], after_partial["amount_refunded_cents"]) == (
        Order.Status.PARTIALLY_REFUNDED,
        1000,
    )
    assert (after_full["status"], after_full["amount_refunded_cents"]) == (Order.Status.REFUNDED, total)
    assert sorted(order.refunds.values_list("amount_cents", flat=True)) == sorted([1000, total - 1000])
    assert all(refund.created for refund in order.refunds.all())


def test_late_partial_refund_event_never_lowers_the_refunded_amount(fake_stripe, order, deliver_event):
    deliver_event(completed_event(fake_stripe, order))
    fake_stripe.refund(order.stripe_session_id, amount=1000)
    stale_charge = fake_stripe.charge_for(order.stripe_session_id)
    fake_stripe.refund(order.stripe_session_id)
    total = fake_stripe.sessions[order.stripe_session_id]["amount_total"]

    deliver_event(make_event("charge.refunded", fake_stripe.charge_for(order.stripe_session_id)))
    deliver_event(make_event("charge.refunded", stale_charge))

    after = snapshot(order)
    assert (after["status"], after["amount_refunded_cents"]) == (Order.Status.REFUNDED, total)


def test_refund_is_matched_by_payment_intent_when_metadata_is_missing(fake_stripe, order, deliver_event):
    deliver_event(completed_event(fake_stripe, order))
    refund = fake_stripe.refund(order.stripe_session_id, amount=700)

    deliver_event(make_event("refund.created", refund))

    after = snapshot(order)
    assert (after["status"], after["amount_refunded_cents"]) == (Order.Status.PARTIALLY_REFUNDED, 700)


def test_failed_refund_is_not_counted(fake_stripe, order, deliver_event):
    deliver_event(completed_event(fake_stripe, order))
    refund = fake_stripe.refund(order.stripe_session_id, amount=700, status="pending")
    deliver_event(make_event("refund.created", refund))
    assert snapshot(order)["amount_refunded_cents"] == 700

    deliver_event(make_event("refund.updated", fake_stripe.update_refund(refund["id"], status="failed")))

    after = snapshot(order)
    assert after["amount_refunded_cents"] == 0
    assert order.refunds.get().status == "failed"


def test_dispute_is_recorded_with_withdrawal_and_reinstatement_dates(fake_stripe, order, deliver_event):
    deliver_event(completed_event(fake_stripe, order))
    dispute = fake_stripe.dispute(order.stripe_session_id)
    deliver_event(make_event("charge.dispute.created", dispute))

    record = order.disputes.get()
    assert record.funds_withdrawn_at is not None and record.funds_reinstated_at is None
    deliver_event(make_event("charge.dispute.closed", fake_stripe.close_dispute(dispute["id"], won=True)))

    record.refresh_from_db()
    order.refresh_from_db()
    assert (record.status, record.funds_reinstated_at is not None) == ("won", True)
    assert order.needs_review is True
    assert order.history.filter(kind="dispute").count() == 2


# Events we do not act on.


def test_other_event_types_are_acknowledged_and_recorded(fake_stripe, order, deliver_event):
    before = snapshot(order)

    response = deliver_event(make_event("customer.created", {"id": "cus_123", "object": "customer"}))

    assert response.status_code == 200
    assert response.content == b"ignored"
    assert StripeEvent.objects.get().type == "customer.created"
    assert snapshot(order) == before


def test_session_that_is_not_ours_is_acknowledged(fake_stripe, db, deliver_event):
    session = {
        "id": "cs_test_elsewhere",
        "object": "checkout.session",
        "mode": "payment",
        "payment_status": "paid",
        "status": "complete",
        "client_reference_id": None,
        "metadata": {},
        "amount_subtotal": 100,
        "amount_total": 100,
        "currency": "usd",
    }

    response = deliver_event(make_event("checkout.session.completed", session))

    assert response.status_code == 200
    assert StripeEvent.objects.get().order is None
    assert Order.objects.count() == 0


def test_confirmation_email_has_text_and_html_with_reference_lines_and_total(
    fake_stripe, order, deliver_event
):
    deliver_event(completed_event(fake_stripe, order, email="lead@example.com", name="Alex"))
    order.refresh_from_db()
    line = order.lines.get()

    message = mail.outbox[0]
    html = message.alternatives[0]
    assert html.mimetype == "text/html"
    for part in (message.body, html.content):
        assert order.reference in part
        assert line.product_name in part
        assert "What happens next" in part or "what happens next" in part.lower()
    assert f"Total paid: {format_money(order.total_cents, order.currency)}" in message.body
    assert format_money(order.total_cents, order.currency) in html.content
    assert message.to == ["lead@example.com"]


def test_failed_recording_answers_500_and_the_retry_is_processed(fake_stripe, order, monkeypatch):
    from types import SimpleNamespace

    from django.test import Client

    from payments import webhooks

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    body = json.dumps(completed_event(fake_stripe, order)).encode()
    client = Client(raise_request_exception=False)
    monkeypatch.setattr(
        webhooks, "tasks", SimpleNamespace(handle_stripe_event=SimpleNamespace(enqueue=broken))
    )

    assert signed_post(client, body).status_code == 500
    assert StripeEvent.objects.count() == 0

    monkeypatch.undo()
    assert signed_post(client, body).status_code == 200
    run_ready_tasks()
    assert snapshot(order)["status"] == Order.Status.PAID


def test_the_webhook_request_does_no_stripe_call_and_the_task_does(fake_stripe, order, deliver_event):
    event = completed_event(fake_stripe, order)
    calls_before = len(fake_stripe.requests)

    deliver_event(event, run=False)

    assert len(fake_stripe.requests) == calls_before
    assert snapshot(order)["status"] == Order.Status.PENDING
    run_ready_tasks()
    assert len(fake_stripe.requests) > calls_before
    assert snapshot(order)["status"] == Order.Status.PAID


def test_event_for_a_session_stripe_does_not_know_is_handled_once_without_retries(
    db, fake_stripe, deliver_event
):
    from django_tasks_db.models import DBTaskResult

    unknown = {"id": "cs_test_not_at_stripe", "object": "checkout.session", "mode": "payment"}

    response = deliver_event(make_event("checkout.session.completed", unknown))

    assert response.status_code == 200
    assert StripeEvent.objects.get().handled_at is not None
    assert list(DBTaskResult.objects.values_list("status", flat=True)) == ["SUCCESSFUL"]


def test_stripe_outage_during_handling_is_retried_later_and_converges(fake_stripe, order, deliver_event):
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    event = completed_event(fake_stripe, order)
    fake_stripe.fail_next("500")

    deliver_event(event)

    assert snapshot(order)["status"] == Order.Status.PENDING
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.run_after > timezone.now()
    assert retry.args_kwargs["kwargs"] == {"attempt": 2}
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    run_ready_tasks()
    assert snapshot(order)["status"] == Order.Status.PAID
    assert len(mail.outbox) == 1


def test_order_admin_page_shows_payment_refund_and_history(fake_stripe, order, deliver_event, admin_client):
    from django.urls import reverse

    deliver_event(completed_event(fake_stripe, order))
    refund = fake_stripe.refund(order.stripe_session_id, amount=500)
    deliver_event(make_event("refund.created", refund))

    page = admin_client.get(reverse("admin:checkout_order_change", args=[order.pk])).content.decode()

    assert refund["id"] in page
    assert order.payments.get().stripe_payment_intent_id in page
    assert "Pending payment → Paid" in page
    assert "Paid → Partially refunded" in page
    assert "Confirmation sent to" in page
