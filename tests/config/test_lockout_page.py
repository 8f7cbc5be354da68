"""The page a locked-out account sees says until when, in the admin's style."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from config.lockout import locked_until
from tests.factories import make_staff

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"


def login(client, username: str, password: str):
    return client.post(reverse("admin:login"), {"username": username, "password": password})


def test_lockout_page_says_until_when_and_retry_after_matches(client):
    make_staff("alice", password=PASSWORD)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = login(client, "alice", "wrong-password")

    content = response.content.decode()
    until = AccessAttempt.objects.get(username="alice").attempt_time + settings.AXES_COOLOFF_TIME
    minutes = round(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    assert response.status_code == 429
    assert "Too many failed sign-ins for “alice”" in content
    assert (
        f"sign-in is paused until <strong>{until:%H:%M} UTC</strong>, about {minutes} minutes from now"
        in content
    )
    assert "admin/css/login" in content  # the admin's own sign-in styling
    assert abs(int(response["Retry-After"]) - settings.AXES_COOLOFF_TIME.total_seconds()) <= 2


def test_lock_ends_a_cool_off_after_the_last_recorded_failure(client):
    make_staff("alice", password=PASSWORD)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "alice", "wrong-password")
    last = timezone.now() - timedelta(minutes=12)
    AccessAttempt.objects.update(attempt_time=last)

    assert locked_until("alice", timezone.now()) == last + settings.AXES_COOLOFF_TIME


def test_lockout_page_warns_that_trying_again_restarts_the_wait(client):
    make_staff("alice", password=PASSWORD)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "alice", "wrong-password")
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=12))

    response = login(client, "alice", PASSWORD)

    content = response.content.decode()
    assert response.status_code == 429
    assert "trying again before then starts it over" in content
    minutes = round(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    assert f"about {minutes} minutes from now" in content  # the attempt while locked restarted the wait
