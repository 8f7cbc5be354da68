"""Checking the VAT number on a payment request against the registry (tax.checks) as soon as the request
is made or the payer corrects it, so accounts payable hear at once when the number is wrong: the check and
its task are made in the same transaction as the request. A number the registry rejects flags the order
for review and emails the payer (accounts payable and the buyer copied); a registry that could not answer
is asked again later, and its silence never counts as valid or invalid."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from checkout import states
from checkout.emails import send_once
from checkout.models import Order
from common.emails import email_message
from common.tasks import MAIL_QUEUE, retrying_task
from invoicing.emails import seller_lines
from invoicing.models import PaymentRequest
from payments.review import flag
from tax.checks import request_check, run_check
from tax.formats import TaxIdFormatError, checks_format, normalise_vat_number
from tax.models import TaxIdCheck

SOURCE = "tax-id-check"


def enqueue_request_check(request: PaymentRequest, *, source: str) -> None:
    """Start a registry check of the request's VAT number (once per number), inside the caller's
    transaction. Numbers of countries without a registry here (outside the EU and UK) are not checked."""
    if not request.tax_id or not checks_format(request.billing_country):
        return
    try:
        tax_id = normalise_vat_number(request.tax_id, country=request.billing_country)
    except TaxIdFormatError:
        return  # the forms refuse such numbers; one stored before them is left to staff
    check, created = request_check(
        purpose=TaxIdCheck.Purpose.PAYMENT_REQUEST,
        subject_id=request.pk,
        order_id=request.order_id,
        tax_id=tax_id,
    )
    if created:
        states.note(
            request.order,
            "tax ID",
            f"VAT number {tax_id.value} sent to the registry for checking.",
            source=source,
        )
        check_request_tax_id.enqueue(check.pk)


def record_answer(check_id: int) -> None:
    with transaction.atomic():
        check = TaxIdCheck.objects.select_for_update().get(pk=check_id)
        if check.acted_on_at is not None:
            return
        request = PaymentRequest.objects.get(pk=check.subject_id)
        order = Order.objects.select_for_update().get(pk=request.order_id)
        if check.result == TaxIdCheck.Result.INVALID:
            flag(
                order,
                f"The registry rejected the VAT number {check.number} of the payment request: {check.reason}",
                source=SOURCE,
            )
            send_request_tax_id_rejected.enqueue(check.pk)
        else:
            said = (
                "is registered"
                if check.result == TaxIdCheck.Result.VALID
                else f"could not be checked: {check.reason}"
            )
            states.note(order, "tax ID", f"VAT number {check.number} {said}", source=SOURCE)
        check.acted_on_at = timezone.now()
        check.save(update_fields=["acted_on_at", "updated_at"])


@retrying_task
def check_request_tax_id(check_id: int) -> str:
    """Ask the registry about a payment request's VAT number and act once on the answer; retried while the
    registry is down."""
    check = run_check(check_id)
    record_answer(check.pk)
    return check.result


def tax_id_rejected_message(
    order: Order, request: PaymentRequest, check: TaxIdCheck
) -> EmailMultiAlternatives:
    context = {
        "order": order,
        "request": request,
        "number": check.number,
        "reason": check.reason,
        "signature_lines": seller_lines(),
        "receivables": settings.RECEIVABLES_EMAIL,
    }
    cc = [a for a in dict.fromkeys([request.ap_email, request.buyer_email]) if a and a != request.payer_email]
    return email_message(
        "payment_request/tax_id_rejected",
        context,
        to=[request.payer_email],
        cc=cc,
        reply_to=[settings.RECEIVABLES_EMAIL],
    )


@retrying_task(queue=MAIL_QUEUE)
def send_request_tax_id_rejected(check_id: int) -> str:
    """Tell the payer (accounts payable and the buyer copied), once per number, that the registry did not
    confirm the request's VAT number."""
    check = TaxIdCheck.objects.get(pk=check_id)
    request = PaymentRequest.objects.get(pk=check.subject_id)
    return send_once(
        request.order_id,
        f"request-tax-id-rejected-{check_id}",
        lambda order: tax_id_rejected_message(order, request, check),
        recipient=request.payer_email,
        label="VAT number not confirmed",
    )
