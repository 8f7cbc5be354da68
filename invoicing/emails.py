"""The emails of a payment request, sent by background tasks through checkout.emails.send_once (at most once
per order, purpose and recipient): the request to the payer, the invoice (Stripe's test mode sends none,
so the academy always sends its own), and the reminders before and after the due date."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from checkout.emails import send_once
from checkout.models import Order
from common.tasks import retrying_task
from invoicing.models import PaymentRequest

# Reminders: (name, days relative to the due date, the words of the subject).
REMINDERS = (
    ("before-7", -7, "due in 7 days"),
    ("due", 0, "due today"),
    ("after-7", 7, "7 days overdue"),
    ("after-14", 14, "14 days overdue"),
)


def request_purpose(request: PaymentRequest) -> str:
    return f"payreq-{request.pk}-send-{request.sends}"


def invoice_purpose(request: PaymentRequest) -> str:
    return f"payreq-{request.pk}-invoice"


def reminder_purpose(request: PaymentRequest, name: str) -> str:
    return f"payreq-{request.pk}-remind-{name}"


def _context(order: Order, request: PaymentRequest, **extra) -> dict:
    return {
        "order": order,
        "request": request,
        "lines": list(order.lines.all()),
        "site_url": settings.SITE_URL,
        "seller": settings.SELLER_DETAILS,
        "days": settings.INVOICE_DAYS_UNTIL_DUE,
        "contact": settings.SITE_CONTACT_EMAIL,
        **extra,
    }


def _message(template: str, context: dict, *, to: str, cc: list[str]) -> EmailMultiAlternatives:
    subject = " ".join(render_to_string(f"email/payment_request/{template}_subject.txt", context).split())
    return EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"email/payment_request/{template}.txt", context),
        to=[to],
        cc=[a for a in dict.fromkeys(cc) if a and a != to],
        reply_to=[context["request"].buyer_email],
    )


def request_message(order: Order, request: PaymentRequest, link: str) -> EmailMultiAlternatives:
    """To the payer (accounts payable copied): what is bought, for whom, and the link to choose."""
    context = _context(order, request, link=f"{settings.SITE_URL}{link}")
    return _message("request", context, to=request.payer_email, cc=[request.ap_email])


def invoice_message(order: Order, request: PaymentRequest) -> EmailMultiAlternatives:
    """The invoice's hosted page and PDF to the payer, accounts payable and the buyer copied."""
    context = _context(order, request)
    return _message("invoice", context, to=request.payer_email, cc=[request.ap_email, request.buyer_email])


def reminder_message(order: Order, request: PaymentRequest, name: str) -> EmailMultiAlternatives:
    when = next(words for key, _, words in REMINDERS if key == name)
    context = _context(order, request, when=when, overdue=name.startswith("after"))
    return _message("reminder", context, to=request.payer_email, cc=[request.ap_email, request.buyer_email])


@retrying_task
def send_payment_request(request_id: int, link_token: str, sends: int) -> str:
    """The request email to the payer with their link (a re-send carries a new link and number)."""
    request = PaymentRequest.objects.get(pk=request_id)
    if request.sends != sends or not request.can_choose:
        return "skipped"  # re-sent since (a newer link), or no longer waiting for the payer's choice
    link = reverse("invoicing:payment_request", args=[link_token])
    return send_once(
        request.order_id,
        request_purpose(request),
        lambda order: request_message(order, request, link),
        recipient=request.payer_email,
        label="Payment request",
    )


@retrying_task
def send_request_invoice(request_id: int) -> str:
    request = PaymentRequest.objects.get(pk=request_id)
    if request.state != PaymentRequest.State.ISSUED:
        return "skipped"
    return send_once(
        request.order_id,
        invoice_purpose(request),
        lambda order: invoice_message(order, request),
        recipient=request.payer_email,
        label="Invoice",
    )


@retrying_task
def send_request_reminder(request_id: int, name: str) -> str:
    request = PaymentRequest.objects.get(pk=request_id)
    if request.state != PaymentRequest.State.ISSUED:
        return "skipped"  # paid, voided or closed since it was enqueued
    return send_once(
        request.order_id,
        reminder_purpose(request, name),
        lambda order: reminder_message(order, request, name),
        recipient=request.payer_email,
        label=f"Invoice reminder ({name})",
    )
