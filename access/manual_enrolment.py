"""Enrolling course holders by hand while the course enrolment webhook is off (access.enrolment.enabled).

Staff see the holders waiting (`waiting_for_enrolment`, the admin's "course holders to enrol"), enrol them
on the course platform themselves and mark them enrolled here. `mark_enrolled` records each as a delivered
`enrolment.granted` row marked by the staff member (so the purchases page, the seat manager and the access
emails see the holder enrolled, as if the webhook had delivered it), writes the order's history and
enqueues the holder's "you are enrolled" email with the course instructions, all in one transaction; the
email goes once per enrolment (`send_once`).
"""

import uuid
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from access import emails, enrolment
from access.models import EnrolmentDelivery, Grant
from catalog.models import Product
from checkout import states
from checkout.emails import send_once
from checkout.models import Order
from common.tasks import MAIL_QUEUE, retrying_task


def waiting_for_enrolment(grants: QuerySet[Grant] | None = None) -> QuerySet[Grant]:
    """Active course grants (of `grants`, default all) with a holder who is not enrolled now: never, or
    revoked and given back since."""
    revoked_after = EnrolmentDelivery.objects.filter(
        grant_id=OuterRef("grant_id"),
        event=EnrolmentDelivery.Event.REVOKED,
        cancelled_at__isnull=True,
        created_at__gt=OuterRef("created_at"),
    )
    enrolled = EnrolmentDelivery.objects.filter(
        grant_id=OuterRef("pk"),
        event=EnrolmentDelivery.Event.GRANTED,
        delivered_at__isnull=False,
        cancelled_at__isnull=True,
    ).exclude(Exists(revoked_after))
    return (
        (Grant.objects.all() if grants is None else grants)
        .filter(state=Grant.State.ACTIVE, product__kind=Product.Kind.COURSE)
        .exclude(holder_email="")
        .exclude(Exists(enrolled))
    )


@transaction.atomic
def mark_enrolled(grant_ids: Iterable[int], *, staff: str) -> int:
    """Record the chosen holders as enrolled by `staff`; those not waiting (enrolled already, revoked,
    not a course) are left alone. Returns how many were marked."""
    ids = list(grant_ids)
    # Lock the grants so two staff marking the same holder make one record and one email.
    list(Grant.objects.select_for_update().filter(pk__in=ids).values_list("pk", flat=True))
    marked = 0
    now = timezone.now()
    for grant in waiting_for_enrolment().filter(pk__in=ids).select_related("product", "order"):
        event_id = f"enr_{uuid.uuid4().hex}"
        delivery = EnrolmentDelivery.objects.create(
            event_id=event_id,
            grant=grant,
            event=EnrolmentDelivery.Event.GRANTED,
            payload=enrolment.payload(event_id, EnrolmentDelivery.Event.GRANTED, grant),
            delivered_at=now,
            marked_by=staff[:200],
        )
        states.note(
            grant.order,
            "enrolled",
            f"{grant.holder_email} enrolled on {grant.product.name} (seat {grant.seat}) by hand.",
            source=f"staff:{staff}",
        )
        send_enrolled_email.enqueue(delivery.pk)
        marked += 1
    return marked


def enrolled_purpose(delivery: EnrolmentDelivery) -> str:
    return f"course-enrolled-{delivery.pk}"


def send_enrolled(delivery_id: int) -> str:
    """The holder's "you are enrolled" email with the course's instructions, once per enrolment; skipped
    when the grant has ended or changed holder since."""
    delivery = EnrolmentDelivery.objects.select_related("grant__product").get(pk=delivery_id)
    grant = delivery.grant
    recipient = delivery.payload.get("holder", {}).get("email", "")
    if grant.state != Grant.State.ACTIVE or grant.holder_email != recipient:
        return "skipped"

    def build(order: Order):
        context = emails.holder_context(order, [grant], "course enrolled", product=grant.product)
        return emails.message("access/enrolled", context, recipient)

    return send_once(grant.order_id, purpose=enrolled_purpose(delivery), recipient=recipient, build=build)


@retrying_task(queue=MAIL_QUEUE)
def send_enrolled_email(delivery_id: int) -> str:
    """The task beside its service: enqueued by `mark_enrolled` (the enrolment worklist in admin)."""
    return send_enrolled(delivery_id)
