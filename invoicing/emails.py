"""The emails of a payment request, sent by background tasks through checkout.emails.send_once (at most once
per order, purpose and recipient): the request to the payer and its copy to the buyer, the invoice (Stripe's
test mode sends none, so the academy always sends its own), the reminders before and after the due date, the
payer's own receipt once the order is paid, and the buyer's notice when the payer declines.

Every one of them answers to RECEIVABLES_EMAIL (Reply-To): the academy's people, not the buyer, answer a
payer's question about a bill; the buyer is copied where the payer's reply concerns them too."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

from catalog.tax_codes import price_note
from checkout import consent
from checkout.emails import send_once
from checkout.models import Order
from common.emails import ACADEMY_NAME, email_message
from common.tasks import MAIL_QUEUE, retrying_task
from common.text import normalise_email
from invoicing.models import PaymentRequest
from invoicing.status_links import status_link
from payments.invoices import refresh_invoice

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


def copy_purpose(request: PaymentRequest) -> str:
    return f"payreq-{request.pk}-buyer-copy"


def receipt_purpose(request: PaymentRequest) -> str:
    return f"payreq-{request.pk}-payer-receipt"


def declined_purpose(request: PaymentRequest) -> str:
    return f"payreq-{request.pk}-declined"


def fresh_link_purpose(request: PaymentRequest, nonce: str) -> str:
    return f"payreq-{request.pk}-status-{nonce}"[:40]


def seller_lines() -> list[str]:
    """The seller's details (SELLER_DETAILS: legal name, address, registration, tax number) as lines under
    the academy's name in the signature; the name itself is not repeated."""
    lines = [line.strip() for line in settings.SELLER_DETAILS.splitlines() if line.strip()]
    return lines[1:] if lines and lines[0] == ACADEMY_NAME else lines


def _context(order: Order, request: PaymentRequest, **extra) -> dict:
    return {
        "order": order,
        "request": request,
        "lines": list(order.lines.all()),
        "signature_lines": seller_lines(),
        "days": settings.INVOICE_DAYS_UNTIL_DUE,
        "contact": settings.SITE_CONTACT_EMAIL,
        "receivables": settings.RECEIVABLES_EMAIL,
        # "plus VAT where it applies" (or "including VAT") after a total that is not yet the amount charged.
        "tax_note": price_note(order.tax_behavior or settings.TAX_BEHAVIOR),
        **extra,
    }


def _message(template: str, context: dict, *, to: str, cc: list[str]) -> EmailMultiAlternatives:
    return email_message(
        f"payment_request/{template}",
        context,
        to=[to],
        cc=[a for a in dict.fromkeys(cc) if a and a != to],
        reply_to=[settings.RECEIVABLES_EMAIL],
    )


def request_message(order: Order, request: PaymentRequest, link: str) -> EmailMultiAlternatives:
    """To the payer (accounts payable copied): what is bought, for whom, and the link to choose."""
    context = _context(order, request, link=f"{settings.SITE_URL}{link}")
    return _message("request", context, to=request.payer_email, cc=[request.ap_email])


def copy_message(order: Order, request: PaymentRequest) -> EmailMultiAlternatives:
    """To the buyer: what was asked of whom, and the link to the request's status page (not the payer's)."""
    context = _context(order, request, status_link=status_link(order))
    return _message("copy", context, to=request.buyer_email, cc=[])


def receipt_message(order: Order, request: PaymentRequest, recipient: str) -> EmailMultiAlternatives:
    """To one of the payer's addresses: the order is paid, with the invoice to file."""
    # Paid against its invoice (by card on the invoice's page, or a bank transfer), or by card through the
    # order's Checkout Session: both leave the request paid, so the payment itself says which.
    by_invoice = (
        bool(request.stripe_invoice_id)
        and order.payments.filter(stripe_invoice_id=request.stripe_invoice_id).exists()
    )
    # The payer who paid by card ticked the digital-content consent (checkout.consent): its words come back.
    ticked = "" if by_invoice else consent.text_for(order.digital_consent_version)
    # Accounts payable get their own copy: greeted without the payer's name, the tick is the payer's.
    to_payer = recipient == request.payer_email
    context = _context(order, request, by_invoice=by_invoice, digital_consent=ticked, to_payer=to_payer)
    return _message("receipt", context, to=recipient, cc=[])


def fresh_link_message(order: Order, request: PaymentRequest) -> EmailMultiAlternatives:
    """To the buyer, who asked for one on the page an expired link opened: a fresh status link."""
    context = _context(
        order,
        request,
        status_link=status_link(order),
        link_days=settings.PAYMENT_REQUEST_STATUS_LINK_MAX_AGE_DAYS,
    )
    return _message("fresh_link", context, to=request.buyer_email, cc=[])


def declined_message(order: Order, request: PaymentRequest) -> EmailMultiAlternatives:
    """To the buyer: the payer declined, with their reason."""
    context = _context(order, request)
    return _message("declined", context, to=request.buyer_email, cc=[])


def invoice_message(order: Order, request: PaymentRequest) -> EmailMultiAlternatives:
    """The invoice's hosted page and PDF to the payer, accounts payable and the buyer copied."""
    context = _context(order, request)
    return _message("invoice", context, to=request.payer_email, cc=[request.ap_email, request.buyer_email])


def reminder_message(order: Order, request: PaymentRequest, name: str) -> EmailMultiAlternatives:
    when = next(words for key, _, words in REMINDERS if key == name)
    context = _context(order, request, when=when, overdue=name.startswith("after"))
    return _message("reminder", context, to=request.payer_email, cc=[request.ap_email, request.buyer_email])


@retrying_task(queue=MAIL_QUEUE)
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


def _to_payer_while_issued(request_id: int, purpose, message, label: str) -> str:
    """An email about the open invoice, to the payer, once; skipped once it is paid, voided or closed."""
    request = PaymentRequest.objects.get(pk=request_id)
    if request.state != PaymentRequest.State.ISSUED:
        return "skipped"
    return send_once(
        request.order_id,
        purpose(request),
        lambda order: message(order, request),
        recipient=request.payer_email,
        label=label,
    )


@retrying_task(queue=MAIL_QUEUE)
def send_request_invoice(request_id: int) -> str:
    return _to_payer_while_issued(request_id, invoice_purpose, invoice_message, "Invoice")


@retrying_task(queue=MAIL_QUEUE)
def send_request_reminder(request_id: int, name: str) -> str:
    return _to_payer_while_issued(
        request_id,
        lambda request: reminder_purpose(request, name),
        lambda order, request: reminder_message(order, request, name),
        f"Invoice reminder ({name})",
    )


@retrying_task(queue=MAIL_QUEUE)
def send_request_copy(request_id: int) -> str:
    """The buyer's copy of the request they sent, with the link to its status page."""
    request = PaymentRequest.objects.get(pk=request_id)
    return send_once(
        request.order_id,
        copy_purpose(request),
        lambda order: copy_message(order, request),
        recipient=request.buyer_email,
        label="Copy of the payment request",
    )


@retrying_task(queue=MAIL_QUEUE)
def send_payer_receipt(request_id: int) -> str:
    """The payer's receipt (and accounts payable's), once the order's money arrived by card or invoice;
    the invoice is fetched first, so the receipt carries its link when Stripe has made it."""
    request = PaymentRequest.objects.select_related("order").get(pk=request_id)
    if not request.order.money_received:
        return "skipped"
    refresh_invoice(request.order_id)
    results = [
        send_once(
            request.order_id,
            receipt_purpose(request),
            lambda order, address=address: receipt_message(order, request, address),
            recipient=address,
            label="Payer's receipt",
        )
        for address in request.payer_addresses()
    ]
    return "sent" if "sent" in results else "skipped"


@retrying_task(queue=MAIL_QUEUE)
def send_request_declined(request_id: int) -> str:
    """Tell the buyer the payer declined the request, and why."""
    request = PaymentRequest.objects.get(pk=request_id)
    if not request.declined:
        return "skipped"
    return send_once(
        request.order_id,
        declined_purpose(request),
        lambda order: declined_message(order, request),
        recipient=request.buyer_email,
        label="Payment request declined",
    )


@retrying_task(queue=MAIL_QUEUE)
def send_fresh_status_link(reference: str, email: str, nonce: str) -> str:
    """A fresh link to the request's status page, asked for on the page an expired one opened: sent only
    when `email` is the buyer's own address (the page answered the same either way). `nonce` is one per
    ask, so a retry of this task never sends it twice."""
    request = PaymentRequest.objects.filter(order__reference=reference).order_by("-pk").first()
    if request is None or normalise_email(request.buyer_email) != normalise_email(email):
        return "skipped"
    return send_once(
        request.order_id,
        fresh_link_purpose(request, nonce),
        lambda order: fresh_link_message(order, request),
        recipient=request.buyer_email,
        label="Fresh link to the payment request",
    )
