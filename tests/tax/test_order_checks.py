"""A paid order's VAT numbers are checked by a background task: the check is enqueued with the payment,
retried while the registry is down, run once however often the task runs, and a rejection flags the order
for review and tells the buyer."""

import pytest
from django.core import mail
from django_tasks_db.models import DBTaskResult

from checkout.models import Order
from payments import tax_ids
from payments.sessions import converge_session
from tax.checks import CheckAgainLater, run_check
from tax.models import TaxIdCheck
from tests.factories import make_order

CHECK_TASK = tax_ids.check_order_tax_id.module_path
MAIL_TASK = tax_ids.send_tax_id_rejected.module_path


@pytest.fixture
def order(catalog):
    product = next(iter(catalog.values()))
    return make_order(
        [(product, 1)], status="pending", stripe_session_id="cs_test_tax_1", email="buyer@example.com"
    )


def paid_session(order: Order, *tax_id_values: str, tax_type: str = "eu_vat") -> dict:
    return {
        "id": order.stripe_session_id,
        "mode": "payment",
        "status": "complete",
        "payment_status": "paid",
        "currency": order.currency.lower(),
        "amount_subtotal": order.subtotal_cents,
        "amount_total": order.subtotal_cents,
        "total_details": {"amount_discount": 0, "amount_tax": 0},
        "customer_details": {
            "email": order.email,
            "tax_ids": [{"type": tax_type, "value": value} for value in tax_id_values],
        },
    }


def checks_enqueued() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=CHECK_TASK))


def test_paying_enqueues_one_check_per_vat_number_with_the_payment(order):
    converge_session(paid_session(order, "DE136695976", "GB123456789"), source="test")

    checks = TaxIdCheck.objects.order_by("number")
    assert [(c.number, c.country, c.result) for c in checks] == [
        ("DE136695976", "DE", "pending"),
        ("GB123456789", "GB", "pending"),
    ]
    assert sorted(r.args_kwargs["args"][0] for r in checks_enqueued()) == sorted(c.pk for c in checks)


def test_a_redelivered_session_starts_no_second_check(order):
    converge_session(paid_session(order, "DE136695976"), source="test")
    converge_session(paid_session(order, "DE136695976"), source="test")

    assert TaxIdCheck.objects.count() == 1
    assert len(checks_enqueued()) == 1


def test_an_unpaid_session_starts_no_check(order):
    session = {**paid_session(order, "DE136695976"), "payment_status": "unpaid", "status": "open"}

    converge_session(session, source="test")

    assert TaxIdCheck.objects.count() == 0


def test_other_tax_id_types_are_not_sent_to_a_vat_registry(order):
    converge_session(paid_session(order, "12-3456789", tax_type="us_ein"), source="test")

    assert TaxIdCheck.objects.count() == 0


def test_a_registered_number_goes_in_the_history_and_flags_nothing(order):
    converge_session(paid_session(order, "DE136695976"), source="test")
    check = TaxIdCheck.objects.get()

    assert tax_ids.check_order_tax_id.call(check.pk) == "valid"

    order.refresh_from_db()
    check.refresh_from_db()
    assert not order.needs_review
    assert check.reference == "FAKE-DE136695976" and check.consulted_at is not None
    assert order.history.filter(
        kind="tax ID", message__contains="is registered to Example Trading Ltd"
    ).exists()


def test_a_rejected_number_flags_the_order_and_emails_the_buyer_once(order):
    converge_session(paid_session(order, "DE136695000"), source="test")
    check = TaxIdCheck.objects.get()

    tax_ids.check_order_tax_id.call(check.pk)
    tax_ids.check_order_tax_id.call(check.pk)  # run twice (a lost lease): nothing happens twice

    order.refresh_from_db()
    assert order.needs_review
    assert "The registry rejected the buyer's VAT number DE136695000" in order.review_reason
    assert order.history.filter(kind="flagged").count() == 1
    mails = DBTaskResult.objects.filter(task_path=MAIL_TASK)
    assert mails.count() == 1
    tax_ids.send_tax_id_rejected.call(order.pk, check.pk)
    tax_ids.send_tax_id_rejected.call(order.pk, check.pk)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["buyer@example.com"]
    assert "DE136695000" in message.body and "did not confirm" in message.body
    assert "DE136695000" in message.alternatives[0][0]


def test_a_registry_that_is_down_retries_and_never_flags(order, settings):
    settings.TASK_MAX_ATTEMPTS = 3
    converge_session(paid_session(order, "DE136695999"), source="test")
    check = TaxIdCheck.objects.get()

    with pytest.raises(CheckAgainLater):
        tax_ids.check_order_tax_id.call(check.pk)

    check.refresh_from_db()
    order.refresh_from_db()
    assert (check.result, check.attempts, check.acted_on_at) == ("unchecked", 1, None)
    assert not order.needs_review
    retry = DBTaskResult.objects.filter(task_path=CHECK_TASK).order_by("-enqueued_at").first()
    assert retry.args_kwargs["kwargs"] == {"attempt": 2}
    assert retry.run_after is not None


def test_an_unchecked_number_is_answered_by_a_later_try(order, settings):
    converge_session(paid_session(order, "DE136695976"), source="test")
    check = TaxIdCheck.objects.get()
    TaxIdCheck.objects.filter(pk=check.pk).update(result="unchecked", attempts=1)

    assert run_check(check.pk).result == "valid"


def test_an_answered_check_is_not_asked_again(order, settings):
    converge_session(paid_session(order, "DE136695976"), source="test")
    check = TaxIdCheck.objects.get()
    run_check(check.pk)
    settings.TAX_ID_REGISTRY = "live"
    settings.VIES_BASE_URL = "http://127.0.0.1:9"  # would fail if asked

    assert run_check(check.pk).result == "valid"
    assert TaxIdCheck.objects.get().attempts == 1


def test_registry_off_records_not_checked_without_retrying(order, settings):
    settings.TAX_ID_REGISTRY = "off"
    converge_session(paid_session(order, "DE136695976"), source="test")
    check = TaxIdCheck.objects.get()

    assert tax_ids.check_order_tax_id.call(check.pk) == "unchecked"

    assert len(checks_enqueued()) == 1
    order.refresh_from_db()
    assert not order.needs_review


@pytest.mark.parametrize(
    "tax_id_list", ["garbage", [None, 5, {"type": "eu_vat", "value": 5}], [{"type": "eu_vat"}]]
)
def test_unreadable_tax_ids_from_stripe_start_no_check_and_break_nothing(order, tax_id_list):
    session = paid_session(order)
    session["customer_details"]["tax_ids"] = tax_id_list

    converge_session(session, source="test")

    order.refresh_from_db()
    assert order.status == "paid"
    assert TaxIdCheck.objects.count() == 0


def test_a_vat_number_stripe_recorded_that_cannot_be_one_flags_the_order(order):
    converge_session(paid_session(order, "DE12\nforged"), source="test")

    order.refresh_from_db()
    assert order.status == "paid"
    assert order.needs_review
    assert "“DE12 forged” is not a well-formed EU or UK VAT number" in order.review_reason
    assert TaxIdCheck.objects.count() == 0
