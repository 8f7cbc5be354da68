"""Telling whoever asked about their correction, once each, through the outbox: the corrected invoice goes
to whoever pays the order (the payer of its payment request, accounts payable copied, whether the request
was paid by invoice or by card) or, without a request, to the buyer; the VAT refund's receipt after a VAT
number was added goes to the same people and says why the VAT came back (`receipt_context`, which
settings.REFUND_RECEIPT_EXTRAS names); a VAT number the registry does not confirm gets the person who asked
a plain answer (`send_vat_not_confirmed`)."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from checkout.emails import send_once
from checkout.models import Order
from common.emails import email_message
from common.tasks import MAIL_QUEUE, retrying_task
from corrections.models import InvoiceCorrection
from credit_notes import emails as credit_note_emails
from credit_notes.models import CreditNote
from invoicing.models import PaymentRequest
from payments.models import Refund


def paying_request(order: Order, correction: InvoiceCorrection | None = None) -> PaymentRequest | None:
    """The payment request whose payer pays (or paid) the order: the correction's own, else the order's
    paid one (a request paid by card through Checkout, whose invoice is the order's own)."""
    if correction is not None and correction.payment_request_id:
        return correction.payment_request
    return order.payment_requests.filter(state=PaymentRequest.State.PAID).order_by("-pk").first()


def recipients(order: Order, correction: InvoiceCorrection | None = None) -> tuple[list[str], list[str]]:
    """(to, cc): the payer with accounts payable copied for an order a payment request paid, else the buyer."""
    request = paying_request(order, correction)
    if request is None or not request.payer_email:
        return [order.email], []
    cc = [request.ap_email] if request.ap_email and request.ap_email != request.payer_email else []
    return [request.payer_email], cc


def corrected_invoice_message(order: Order, correction: InvoiceCorrection) -> EmailMultiAlternatives:
    to, cc = recipients(order, correction)
    context = {"order": order, "correction": correction, "Kind": InvoiceCorrection.Kind}
    return email_message(
        "corrections/corrected_invoice", context, to=to, cc=cc, reply_to=[settings.RECEIVABLES_EMAIL]
    )


@retrying_task(queue=MAIL_QUEUE)
def send_corrected_invoice(correction_id: int) -> str:
    correction = InvoiceCorrection.objects.select_related("payment_request", "order").get(pk=correction_id)
    if correction.state != InvoiceCorrection.State.ISSUED:
        return "skipped"
    to, _ = recipients(correction.order, correction)
    return send_once(
        correction.order_id,
        f"invoice-correction-{correction.pk}",
        lambda order: corrected_invoice_message(order, correction),
        recipient=to[0],
        label="Corrected invoice",
    )


def _note_and_correction(refund: Refund) -> tuple[CreditNote, InvoiceCorrection] | None:
    """The VAT correction whose credit note made this refund (the note names the correction as its source
    and Stripe links the refund to it), with that note."""
    notes = CreditNote.objects.filter(
        order_id=refund.order_id, source_key__startswith="correction:", status=CreditNote.Status.ISSUED
    )
    for note in notes:
        correction_id = note.source_key.split(":", 1)[1]
        if refund.stripe_refund_id not in (note.linked_refund_ids or []) or not correction_id.isdigit():
            continue
        correction = (
            InvoiceCorrection.objects.filter(pk=int(correction_id), kind=InvoiceCorrection.Kind.VAT)
            .select_related("order", "payment_request")
            .first()
        )
        if correction is not None and correction.order_id == refund.order_id:
            return note, correction
    return None


def receipt_context(refund: Refund) -> dict:
    """What the refund receipt (payments) adds for a VAT refund a correction made: the correction (its
    new invoice, and why the VAT came back), its credit note, and who the receipt goes to (the payer with
    accounts payable copied for an order a payment request paid, else the buyer)."""
    found = _note_and_correction(refund)
    if found is None:
        return {}
    note, correction = found
    context = {"vat_correction": correction}
    if credit_note_emails.note_for(refund) is None:  # a note made with the refund: credit_notes names it
        context["credit_note"] = note
    to, cc = recipients(correction.order, correction)
    if to != [correction.order.email]:  # the buyer's receipt keeps its own recipients and purchases link
        context.update(receipt_to=to, receipt_cc=cc)
    return context


def requester_email(correction: InvoiceCorrection) -> str:
    """The address of whoever asked, as the page recorded it; the buyer's for a correction made elsewhere."""
    return correction.requester_email or correction.order.email


def vat_not_confirmed_message(order: Order, correction: InvoiceCorrection) -> EmailMultiAlternatives:
    context = {"order": order, "correction": correction}
    return email_message(
        "corrections/vat_not_confirmed",
        context,
        to=[requester_email(correction)],
        reply_to=[settings.RECEIVABLES_EMAIL],
    )


@retrying_task(queue=MAIL_QUEUE)
def send_vat_not_confirmed(correction_id: int) -> str:
    correction = InvoiceCorrection.objects.select_related("order").get(pk=correction_id)
    if correction.state != InvoiceCorrection.State.REFUSED:
        return "skipped"
    to = requester_email(correction)
    return send_once(
        correction.order_id,
        f"correction-vat-refused-{correction.pk}",
        lambda order: vat_not_confirmed_message(order, correction),
        recipient=to,
        label="VAT number not confirmed",
    )
