"""Checking the VAT numbers buyers give at Stripe Checkout against the registry (tax.checks). When an
order is paid, each EU or UK VAT number in the Checkout Session's `customer_details.tax_ids` gets a
TaxIdCheck and a task, in the same transaction. A number the registry rejects flags the order for review
with the registry's reason, and the buyer is told by email; a number the registry could not check is
asked about again later and never counts as valid or invalid."""

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from checkout import states
from checkout.emails import send_once
from checkout.models import Order
from common.emails import email_message
from common.tasks import MAIL_QUEUE, retrying_task
from common.text import single_line
from payments.review import flag
from tax.checks import request_check, run_check
from tax.formats import parse_vat_number
from tax.models import TaxIdCheck

VAT_TYPES = ("eu_vat", "gb_vat")
SOURCE = "tax-id-check"


def session_vat_numbers(session: Mapping[str, Any]) -> list[str]:
    """The EU and UK VAT numbers the buyer gave on Stripe's page, as Stripe recorded them."""
    details = session.get("customer_details")
    ids = details.get("tax_ids") if isinstance(details, Mapping) else None
    if not isinstance(ids, list):
        return []
    return [
        item["value"][:60]
        for item in ids
        if isinstance(item, Mapping) and item.get("type") in VAT_TYPES and isinstance(item.get("value"), str)
    ]


def enqueue_order_checks(order: Order, session: Mapping[str, Any], *, source: str) -> None:
    """Start a registry check of each VAT number on a paid order's session (once per number). The caller
    holds the order's row lock inside the transaction that records the payment."""
    for value in session_vat_numbers(session):
        tax_id = parse_vat_number(value)
        if tax_id is None:
            reason = (
                f"The buyer's VAT number “{single_line(value, 60)}” is not a well-formed EU or UK VAT number."
            )
            flag(order, reason, source=source)
            continue
        check, created = request_check(
            purpose=TaxIdCheck.Purpose.ORDER, subject_id=order.pk, order_id=order.pk, tax_id=tax_id
        )
        if created:
            note = f"VAT number {tax_id.value} sent to the registry for checking."
            states.note(order, "tax ID", note, source=source)
            check_order_tax_id.enqueue(check.pk)


def rejection_reason(check: TaxIdCheck) -> str:
    return f"The registry rejected the buyer's VAT number {check.number}: {check.reason}"


def record_answer(check_id: int) -> None:
    """Act once on the registry's answer: in the order's history, and a rejection flags the order and
    emails the buyer."""
    with transaction.atomic():
        check = TaxIdCheck.objects.select_for_update().get(pk=check_id)
        if check.acted_on_at is not None:
            return
        order = Order.objects.select_for_update().get(pk=check.subject_id)
        if check.result == TaxIdCheck.Result.INVALID:
            flag(order, rejection_reason(check), source=SOURCE)
            send_tax_id_rejected.enqueue(order.pk, check.pk)
        elif check.result == TaxIdCheck.Result.VALID:
            who = f" to {check.registered_name}" if check.registered_name else ""
            ref = f" (reference {check.reference})" if check.reference else ""
            states.note(order, "tax ID", f"VAT number {check.number} is registered{who}{ref}.", source=SOURCE)
        else:
            note = f"VAT number {check.number} could not be checked: {check.reason}"
            states.note(order, "tax ID", note, source=SOURCE)
        check.acted_on_at = timezone.now()
        check.save(update_fields=["acted_on_at", "updated_at"])


@retrying_task
def check_order_tax_id(check_id: int) -> str:
    """Ask the registry about one order's VAT number and act on the answer; retried while the registry is
    down. Safe to run twice: an answered check is not asked again and its flag and email go out once."""
    check = run_check(check_id)
    record_answer(check.pk)
    return check.result


def tax_id_rejected_message(order: Order, check: TaxIdCheck) -> EmailMultiAlternatives:
    context = {"order": order, "number": check.number, "reason": check.reason}
    return email_message(
        "tax_id_rejected", context, to=[order.email], reply_to=[settings.ORDER_REPLY_TO_EMAIL]
    )


@retrying_task(queue=MAIL_QUEUE)
def send_tax_id_rejected(order_id: int, check_id: int) -> str:
    """Tell the buyer, once per number, that the registry did not confirm their VAT number."""
    check = TaxIdCheck.objects.get(pk=check_id)
    return send_once(
        order_id,
        f"tax-id-rejected-{check_id}",
        lambda order: tax_id_rejected_message(order, check),
        label="VAT number not confirmed",
    )
