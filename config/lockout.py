"""The page django-axes shows a locked-out account (AXES_LOCKOUT_CALLABLE): in the admin's style, saying
until when the account is locked, with a Retry-After header to match."""

import math
from datetime import datetime

from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone


def locked_until(username: str, now: datetime) -> datetime:
    """When the lock on `username` ends: the cool-off counts from the last recorded failure, and with axes'
    default AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT an attempt while locked counts as one."""
    cool_off = get_cool_off()
    last = (
        AccessAttempt.objects.filter(username=username)
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    return (last or now) + cool_off


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    now = timezone.now()
    username = get_client_username(request, credentials) or ""
    until = locked_until(username, now)
    minutes = max(1, math.ceil((until - now).total_seconds() / 60))
    context = {
        **admin.site.each_context(request),
        "title": "Account locked",
        "username": username,
        "locked_until": until,
        "minutes": minutes,
        "cool_off_minutes": round(get_cool_off().total_seconds() / 60),
    }
    response = render(request, "admin/lockout.html", context, status=429)
    response["Retry-After"] = str(max(1, math.ceil((until - now).total_seconds())))
    return response
