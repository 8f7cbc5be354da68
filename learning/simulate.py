"""The course platform, simulated: each run moves every learner of an order (or one holder) one step on
each of their courses (started, then 35% further each time, then passed with a certificate), through the
same code as the real events: signed and POSTed to a running shop, or read and stored in this process."""

import datetime as dt
import json
import time
import urllib.request
import uuid

from django.conf import settings
from django.db.models import Q

from access.models import Grant
from catalog.models import Product
from common.signatures import SIGNATURE_HEADER, sign
from learning import events, webhook
from learning.models import Progress

STEP_PERCENT = 35


def learners(target: str) -> list[Grant]:
    """The active course grants of an order reference (and seats added to it), or of a holder's address."""
    wanted = Q(order__reference=target) | Q(order__adds_seats_to__reference=target) | Q(holder_email=target)
    return list(
        Grant.objects.filter(wanted, state=Grant.State.ACTIVE, product__kind=Product.Kind.COURSE)
        .exclude(holder_email="")
        .select_related("product")
        .order_by("pk")
    )


def next_events(grant: Grant) -> list[dict]:
    """The event(s) that move this learner one step on from where they are."""
    progress = Progress.objects.filter(holder_email=grant.holder_email, product=grant.product).first()
    base = {
        "holder": {"email": grant.holder_email, "name": grant.holder_name},
        "product": {"slug": grant.product.slug},
        "grant": grant.pk,
    }

    def made(type_: str, **extra) -> dict:
        return {"id": f"sim_{uuid.uuid4().hex}", "event": type_, "created": int(time.time()), **base, **extra}

    if progress is None or progress.started_at is None:
        return [made("learner.started")]
    if progress.passed_at is not None:
        return []
    percent = min(progress.percent + STEP_PERCENT, 100)
    if percent < 100:
        return [made("learner.progressed", percent=percent)]
    issued = {"id": f"sim-cert-{grant.pk}", "issued": dt.date.today().isoformat()}
    return [made("learner.passed"), made("certificate.issued", certificate=issued)]


def post(payload: dict, url: str, secret: str) -> int:
    body = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    request = urllib.request.Request(  # noqa: S310  (a URL the developer typed)
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", SIGNATURE_HEADER: sign(body, secret)},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return response.status


def store(payload: dict) -> str:
    """The webhook's own steps after the signature: read the event, store it and enqueue its processing."""
    return webhook.record(events.read(payload), payload)


def default_url() -> str:
    return f"{settings.SITE_URL}/course-platform/events/"
