"""Applying a stored course-platform event: progress and certificates converge whatever order the events
arrive in. Started and passed keep their earliest time, progress its highest percent; a pass implies a
start and 100%; a certificate is valid while its latest issue is later than its latest revocation.
Applying an event twice changes nothing the first time did not."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from access.models import Grant
from learning import certificate_emails
from learning.models import Certificate, CourseEvent, Progress

T = CourseEvent.Type


def _earliest(current: dt.datetime | None, new: dt.datetime) -> dt.datetime:
    return new if current is None or new < current else current


def _latest(current: dt.datetime | None, new: dt.datetime) -> dt.datetime:
    return new if current is None or new > current else current


def _progress(event: CourseEvent) -> None:
    progress, _ = Progress.objects.get_or_create(holder_email=event.holder_email, product=event.product)
    progress = Progress.objects.select_for_update().get(pk=progress.pk)
    at = event.happened_at
    progress.started_at = _earliest(progress.started_at, at)
    if event.type == T.PROGRESSED:
        progress.percent = max(progress.percent, event.payload["percent"])
    if event.type in (T.PASSED, T.CERTIFICATE_ISSUED):
        progress.passed_at = _earliest(progress.passed_at, at)
    if progress.passed_at:
        progress.percent = 100
    progress.save(update_fields=["started_at", "percent", "passed_at", "updated_at"])


def _holder_name(event: CourseEvent) -> str:
    named = event.payload.get("holder", {}).get("name")
    if isinstance(named, str) and named.strip():
        return " ".join(named.split())[:200]
    grant = (
        Grant.objects.filter(holder_email=event.holder_email, product=event.product).order_by("-pk").first()
    )
    return grant.holder_name if grant else ""


def _certificate(event: CourseEvent) -> None:
    details = event.payload["certificate"]
    certificate, _ = Certificate.objects.get_or_create(
        platform_id=details["id"], defaults={"holder_email": event.holder_email, "product": event.product}
    )
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    at = event.happened_at
    if event.type == T.CERTIFICATE_REVOKED:
        certificate.revoked_event_at = _latest(certificate.revoked_event_at, at)
    elif certificate.issued_event_at is None or at > certificate.issued_event_at:
        certificate.issued_event_at = at
        certificate.issued_on = dt.date.fromisoformat(details.get("issued") or event.payload["issued"])
        certificate.holder_name = _holder_name(event) or certificate.holder_name
    certificate.save()
    if certificate.issued and certificate.emailed_at is None:
        certificate_emails.send_certificate_email.enqueue(certificate.pk)


@transaction.atomic
def apply(event_id: int) -> str:
    """Apply one stored event (by its row id); "applied", or "already" when it was applied before."""
    event = CourseEvent.objects.select_for_update().get(pk=event_id)
    if event.processed_at is not None:
        return "already"
    _progress(event)
    if event.type in (T.CERTIFICATE_ISSUED, T.CERTIFICATE_REVOKED):
        _certificate(event)
    event.processed_at = timezone.now()
    event.save(update_fields=["processed_at"])
    return "applied"
