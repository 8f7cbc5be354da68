"""Emails to holders and buyers. Access emails go at most once per seat, purpose and recipient through
checkout's claim pattern (`checkout.emails.send_once`); sign-in links go every time one is asked for."""

from collections import Counter

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

from access import enrolment, links, purchase_links
from access.models import Grant
from checkout.emails import send_once
from checkout.models import EmailDelivery, Order
from checkout.receipts import readiness, start_step
from common.emails import email_message
from common.tasks import MAIL_QUEUE, retrying_task
from payments import refund_receipts


def message(template: str, context: dict, to: str) -> EmailMultiAlternatives:
    """An email to a holder or buyer from `templates/email/<template>` (text, HTML and subject, through
    common.emails), with the purchases page and how long personal links work in its context (apps built
    on access send theirs with it too)."""
    context = {
        "purchases_url": settings.SITE_URL + reverse("access:purchases"),
        **context,
        "link_days": settings.PURCHASES_LINK_MAX_AGE_DAYS,
    }
    return email_message(template, context, to=[to], reply_to=[settings.ORDER_REPLY_TO_EMAIL])


def _personal_link(order: Order, email: str, sent_with: str) -> str:
    """A personal link to the purchases page for this address: one click and one button from the email
    to the downloads (access.purchase_links)."""
    return purchase_links.link_url(purchase_links.create_link(order=order, email=email, sent_with=sent_with))


def holder_context(order: Order, grants: list[Grant], sent_with: str, **extra) -> dict:
    """What every email to one holder about their seats says: the order, the holder (by the name given for
    their first seat), their grants, how to start each (ready now, or when it comes), and a personal link
    to the purchases page."""
    holder = grants[0]
    # "Ready now" only for what is: a kit, or a course whose holder is enrolled on the platform already.
    enrolled = enrolment.enrolled_grant_ids(g.pk for g in grants)
    start = [start_step(g.product, enrolled=g.pk in enrolled) for g in grants]
    return {
        "order": order,
        "holder": holder,
        "grants": grants,
        "purchases_url": _personal_link(order, holder.holder_email, sent_with),
        "start": start,
        "ready": readiness(start),
        "all_ready": all(step.ready_now for step in start),
        # Only a kit has files to download: a Level I seat's email never speaks of downloads.
        "has_kit": any(not step.is_course for step in start),
        "has_course": any(step.is_course for step in start),
        **extra,
    }


def send_access_given(line_id: int, seat: int, resend: str = "") -> str:
    """The holder's access email, once per seat and holder; `resend` (one value per staff click) makes a
    new purpose, so a resend goes out once more, and its task's retries never send it twice."""
    grants = list(
        Grant.objects.filter(line_id=line_id, seat=seat, state=Grant.State.ACTIVE).select_related("product")
    )
    if not grants:
        return "skipped"
    holder = grants[0]

    def build(order: Order) -> EmailMultiAlternatives:
        context = holder_context(order, grants, "access given", is_buyer=holder.holder_email == order.email)
        return message("access/access_given", context, holder.holder_email)

    # EmailDelivery.purpose holds 40 characters: the resend value is a short random hex.
    purpose = f"access-resend-{line_id}-{seat}-{resend}" if resend else f"access-given-{line_id}-{seat}"
    return send_once(holder.order_id, purpose=purpose, recipient=holder.holder_email, build=build)


@retrying_task(queue=MAIL_QUEUE)
def send_access_given_email(line_id: int, seat: int, resend: str = "") -> str:
    """The task beside its service: enqueued with every seat given (access.grants, the seat manager)."""
    return send_access_given(line_id, seat, resend=resend)


ENDED = "access-ended"
# Why access ended when the order was refunded in full (access.grants names the other reasons).
REFUNDED_IN_FULL = "refunded in full"
# How each reason access ends reads to the holder.
ENDED_BECAUSE = {
    REFUNDED_IN_FULL: "the order was refunded",
    "dispute lost": "the payment was disputed by the card holder",
    "invoice not paid": "the company's invoice for it was withdrawn or will not be paid",
    "revoked by staff": "the academy ended it; reply to this email if you did not expect this",
}


def holder_grants(order_id: int, recipient: str, state: str) -> list[Grant]:
    """Every grant of the order this address holds in `state`, seat by seat."""
    return list(
        Grant.objects.filter(order_id=order_id, holder_email=recipient, state=state)
        .select_related("product")
        .order_by("line_id", "seat", "pk")
    )


def revoked_purpose(line_id: int, seat: int) -> str:
    """The purpose of the per-seat "access has ended" email sent before it became one per holder address
    (kept so a restore still knows who was told)."""
    return f"access-revoked-{line_id}-{seat}"


def told_by_refund_receipt(order: Order, recipient: str, reason: str) -> bool:
    """The buyer of an order refunded in full hears that their access ended from the refund receipt
    (payments.refund_receipts), in one email; the seats' other holders get "access has ended". Decided from
    the succeeded refunds: a pending one sends no receipt yet, so the buyer is told here."""
    return reason == REFUNDED_IN_FULL and recipient == order.email and refund_receipts.refunded_in_full(order)


def told_access_ended(order: Order) -> set[tuple[str, str]]:
    """(purpose, address) of the emails that told someone their access from the order ended, the buyer's
    refund receipts counted as "access has ended" (a restore tells each of them access is back)."""
    told = set(EmailDelivery.objects.filter(order=order).values_list("purpose", "recipient"))
    if any(p.startswith(refund_receipts.PURPOSE_PREFIX) and to == order.email for p, to in told):
        told.add((ENDED, order.email))
    return told


def send_access_ended(order_id: int, recipient: str, reason: str) -> str:
    """One "access has ended" email per holder address of an order, listing every seat of theirs that ended,
    addressed by the name given for that address, with the reason as it happened."""
    grants = holder_grants(order_id, recipient, Grant.State.REVOKED)
    if not grants or told_by_refund_receipt(grants[0].order, recipient, reason):
        return "skipped"

    def build(order: Order) -> EmailMultiAlternatives:
        # The personal link shows the order's status now (never downloads) and opens the page again if
        # access comes back.
        context = holder_context(
            order,
            grants,
            "access ended",
            seats=len({(g.line_id, g.seat) for g in grants}),
            # Each product once, with how many of the holder's seats gave it.
            products=list(Counter(g.product.name for g in grants).items()),
            because=ENDED_BECAUSE.get(reason, "the academy ended it"),
        )
        return message("access/access_revoked", context, recipient)

    return send_once(order_id, purpose=ENDED, recipient=recipient, build=build)


@retrying_task(queue=MAIL_QUEUE)
def send_access_ended_email(order_id: int, recipient: str, reason: str) -> str:
    """The task beside its service: enqueued by access.grants when an order's seats end."""
    return send_access_ended(order_id, recipient, reason)


def send_sign_in_link(email: str) -> str:
    """Email a one-time sign-in link (the task checks first that the address has purchases)."""
    token = links.sign_in_token(email)
    context = {
        "sign_in_url": settings.SITE_URL + reverse("access:sign_in", kwargs={"token": token}),
        "minutes": settings.SIGN_IN_LINK_MAX_AGE_SECONDS // 60,
    }
    message("access/sign_in", context, email).send()
    return "sent"
