"""The course platform's events: `POST /course-platform/events/`, signed with `CPMA-Signature` like the
enrolment webhook the shop sends it (common.signatures), keyed with COURSE_PLATFORM_EVENTS_SECRET.

Verify the raw body, read the event (learning.events), store it by its `id` and enqueue its processing in one
transaction, answer. A repeated `id` is answered 200 "duplicate" and changes nothing; anything refused is
a 4xx with the reason and writes nothing. CSRF does not apply: the signature is the proof of origin."""

import json
import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.views.decorators.csrf import csrf_exempt

from common.signatures import SIGNATURE_HEADER, SignatureRefused, verify
from common.text import without_nul
from learning import events, tasks
from learning.models import CourseEvent

logger = logging.getLogger("learning")

MAX_BODY_BYTES = 64 * 1024


def _answer(text: str, status: int = 200) -> HttpResponse:
    return HttpResponse(text, status=status, content_type="text/plain")


def record(event: events.Event, payload: dict) -> str:
    """Store the event and enqueue its processing together: "processed" or "duplicate"."""
    try:
        with transaction.atomic():
            row = CourseEvent.objects.create(
                event_id=event.event_id,
                type=event.type,
                happened_at=event.happened_at,
                holder_email=event.holder_email,
                product=event.product,
                payload=without_nul(payload),
            )
            tasks.process_course_event.enqueue(row.pk)
    except IntegrityError:
        if CourseEvent.objects.filter(event_id=event.event_id).exists():
            return "duplicate"
        raise
    return "processed"


def _too_large(request: HttpRequest) -> bool:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY_BYTES
    except ValueError:
        return False


@csrf_exempt
def course_platform_events(request: HttpRequest) -> HttpResponse:
    # Off, the endpoint is not there for any method (a 405 to a GET would say it exists).
    if not settings.COURSE_PLATFORM_EVENTS_SECRET:
        raise Http404("Course-platform events are not switched on.")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if _too_large(request):
        return _answer(f"Payload too large: at most {MAX_BODY_BYTES} bytes.", 413)
    try:
        body = request.body
    except RequestDataTooBig:
        return _answer(f"Payload too large: at most {MAX_BODY_BYTES} bytes.", 413)
    if len(body) > MAX_BODY_BYTES:
        return _answer(f"Payload too large: at most {MAX_BODY_BYTES} bytes.", 413)
    try:
        verify(body, request.headers.get(SIGNATURE_HEADER), settings.COURSE_PLATFORM_EVENTS_SECRET)
    except SignatureRefused as exc:
        return _answer(str(exc), 400)
    try:
        data = json.loads(body)
    except ValueError:  # includes UnicodeDecodeError
        return _answer("The body is not valid JSON.", 400)
    try:
        event = events.read(data)
    except events.BadEvent as exc:
        logger.warning("course-platform event refused: %s", exc)
        return _answer(str(exc), exc.status)
    return _answer(record(event, data))


# Read by the request-body limit (config/request_body.py), which refuses a larger body before reading it.
course_platform_events.max_body_bytes = MAX_BODY_BYTES
