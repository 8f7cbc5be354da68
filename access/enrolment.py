"""The course enrolment webhook: each grant given or revoked is POSTed as signed JSON to the academy's
course platform (COURSE_ENROLMENT_WEBHOOK_URL), so it enrols or removes the holder.

The grant services call `record_given` / `record_revoked` inside their transaction: an `EnrolmentDelivery`
row and its task (`deliver_enrolment`, at the end of this module) are written with the grant change. The
task (`deliver`) claims the row, POSTs outside
any transaction and marks it delivered on a 2xx; anything else raises, so `retrying_task` tries again.
A delivered row is never sent again, and the payload's `id` lets the receiver drop a repeat."""

import datetime as dt
import json
import logging
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from access.models import EnrolmentDelivery, Grant
from common.outbox import Busy, claim_row, deliver_once
from common.signatures import SIGNATURE_HEADER, sign
from common.tasks import retrying_task

logger = logging.getLogger("access")

CLAIM_TIMEOUT = dt.timedelta(minutes=10)


class DeliveryFailed(Exception):
    """The course platform did not answer 2xx; the task retries."""


class DeliveryBusy(Busy):
    """Another worker is sending this event, or an earlier event of the grant is still on its way."""


def enabled() -> bool:
    return bool(settings.COURSE_ENROLMENT_WEBHOOK_URL and settings.COURSE_ENROLMENT_WEBHOOK_SECRET)


def payload(event_id: str, event: str, grant: Grant) -> dict:
    return {
        "id": event_id,
        "event": event,
        "created": int(time.time()),
        "holder": {"name": grant.holder_name, "email": grant.holder_email},
        "product": {"slug": grant.product.slug, "name": grant.product.name, "kind": grant.product.kind},
        "order": {"reference": grant.order.reference},
        "seat": grant.seat,
        "grant": grant.pk,
    }


def _record(grants: Iterable[Grant], event: str) -> list[EnrolmentDelivery]:
    made = []
    for grant in grants:
        event_id = f"enr_{uuid.uuid4().hex}"
        made.append(
            EnrolmentDelivery(
                event_id=event_id, grant=grant, event=event, payload=payload(event_id, event, grant)
            )
        )
    # One insert for a whole seat list (PostgreSQL and SQLite return the new ids).
    made = EnrolmentDelivery.objects.bulk_create(made)
    for delivery in made:
        deliver_enrolment.enqueue(delivery.pk)
    return made


def _pending(grant_ids: Iterable[int]):
    return EnrolmentDelivery.objects.filter(
        grant_id__in=list(grant_ids), delivered_at__isnull=True, cancelled_at__isnull=True
    )


def record_given(grants: Iterable[Grant]) -> None:
    """Grants that now have an active holder: one `enrolment.granted` each. Call inside the grant change's
    transaction. Does nothing when the webhook is not configured."""
    grants = [g for g in grants if g.state == Grant.State.ACTIVE and g.holder_email]
    if enabled() and grants:
        _record(
            Grant.objects.filter(pk__in=[g.pk for g in grants]).select_related("product", "order"),
            EnrolmentDelivery.Event.GRANTED,
        )


def record_revoked(grants: Iterable[Grant]) -> None:
    """Grants just revoked. A `granted` the platform never received is cancelled instead (nothing to
    remove); a granted event delivered or being sent is followed by `enrolment.revoked`."""
    held = [g.pk for g in grants if g.holder_email]
    if not held:
        return
    _pending(held).filter(event=EnrolmentDelivery.Event.GRANTED, claimed_at__isnull=True).update(
        cancelled_at=timezone.now()
    )
    reached = set(
        EnrolmentDelivery.objects.filter(grant_id__in=held, event=EnrolmentDelivery.Event.GRANTED)
        .filter(cancelled_at__isnull=True)
        .values_list("grant_id", flat=True)
    )
    if reached:
        _record(
            Grant.objects.filter(pk__in=reached).select_related("product", "order"),
            EnrolmentDelivery.Event.REVOKED,
        )


def cancel_unsent(grant_ids: Iterable[int]) -> None:
    """A seat given to someone else before the platform heard of its holder: drop what is still queued."""
    _pending(grant_ids).filter(claimed_at__isnull=True).update(cancelled_at=timezone.now())


def used_grant_ids(grant_ids: Iterable[int]) -> set[int]:
    """Grants whose enrolment reached the platform or is being sent right now."""
    return set(
        EnrolmentDelivery.objects.filter(grant_id__in=list(grant_ids), event=EnrolmentDelivery.Event.GRANTED)
        .filter(cancelled_at__isnull=True)
        .exclude(delivered_at__isnull=True, claimed_at__isnull=True)
        .values_list("grant_id", flat=True)
    )


def enrolled_grant_ids(grant_ids: Iterable[int]) -> set[int]:
    """Grants whose holder is enrolled on the course platform now: a `granted` event delivered (by the
    webhook, or marked by staff while it is off: access.manual_enrolment) and no revocation after it."""
    revoked_after = EnrolmentDelivery.objects.filter(
        grant_id=OuterRef("grant_id"),
        event=EnrolmentDelivery.Event.REVOKED,
        cancelled_at__isnull=True,
        created_at__gt=OuterRef("created_at"),
    )
    return set(
        EnrolmentDelivery.objects.filter(
            grant_id__in=list(grant_ids),
            event=EnrolmentDelivery.Event.GRANTED,
            delivered_at__isnull=False,
            cancelled_at__isnull=True,
        )
        .exclude(Exists(revoked_after))
        .values_list("grant_id", flat=True)
    )


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is not a 2xx: it fails the attempt instead of turning the POST into a GET."""

    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def _post(body: bytes) -> int:
    request = urllib.request.Request(  # noqa: S310  (settings accept only http(s) URLs)
        settings.COURSE_ENROLMENT_WEBHOOK_URL,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "CPMA-storefront-enrolment/1",
            SIGNATURE_HEADER: sign(body, settings.COURSE_ENROLMENT_WEBHOOK_SECRET),
        },
    )
    try:
        with _opener.open(request, timeout=settings.COURSE_ENROLMENT_WEBHOOK_TIMEOUT) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _claim(delivery_id: int) -> EnrolmentDelivery | None:
    with transaction.atomic():
        delivery = EnrolmentDelivery.objects.select_for_update().get(pk=delivery_id)
        if delivery.delivered_at is not None or delivery.cancelled_at is not None:
            return None
        # Events of one grant arrive in order: a revocation waits for its grant to be delivered.
        if _pending([delivery.grant_id]).filter(created_at__lt=delivery.created_at).exists():
            raise DeliveryBusy(f"{delivery.event_id} waits for an earlier event of grant {delivery.grant_id}")
        claim_row(delivery, timeout=CLAIM_TIMEOUT, busy=DeliveryBusy, what=delivery.event_id)
        return delivery


def _send(delivery: EnrolmentDelivery) -> None:
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    try:
        status = _post(body)
        if not 200 <= status < 300:
            raise DeliveryFailed(f"course platform answered {status}")
    except Exception as exc:
        logger.warning("enrolment %s failed: %s", delivery.event_id, exc)
        raise


def _record_delivered(delivery: EnrolmentDelivery) -> None:
    EnrolmentDelivery.objects.filter(pk=delivery.pk).update(delivered_at=timezone.now(), last_error="")
    logger.info("enrolment %s delivered (%s)", delivery.event_id, delivery.event)


def deliver(delivery_id: int) -> str:
    """POST one enrolment event; "delivered", "skipped" (already delivered, cancelled, or the webhook was
    switched off), or raise so the task retries."""
    if not enabled():
        return "skipped"
    outcome = deliver_once(claim=lambda: _claim(delivery_id), send=_send, record=_record_delivered)
    return "delivered" if outcome == "sent" else outcome


@retrying_task
def deliver_enrolment(delivery_id: int) -> str:
    """The task beside its service: `_record` enqueues one per event, in the grant change's transaction."""
    return deliver(delivery_id)
