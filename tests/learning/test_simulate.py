"""`simulate_course_platform` moves each learner one step a run, through the webhook's own code."""

import io

import pytest
from django.core.management import CommandError, call_command

from learning.models import Certificate, CourseEvent, Progress
from tests.checkout.conftest import run_ready_tasks
from tests.learning.conftest import assign, seated_order


def test_each_run_moves_the_order_s_learners_one_step_until_passed(catalog):
    order = seated_order(catalog["level-i"], 2)
    assign(order, 1, "ana@studio.example")
    assign(order, 2, "bo@studio.example")

    percents = []
    for _ in range(5):
        call_command("simulate_course_platform", order.reference, verbosity=0)
        run_ready_tasks()
        percents.append(Progress.objects.get(holder_email="ana@studio.example").percent)

    assert percents == [0, 35, 70, 100, 100]
    assert Progress.objects.filter(passed_at__isnull=False).count() == 2
    assert Certificate.objects.filter(issued_on__isnull=False).count() == 2
    assert CourseEvent.objects.filter(processed_at__isnull=True).count() == 0


def test_one_holder_by_address_and_an_unknown_target(catalog):
    order = seated_order(catalog["level-i"], 2)
    assign(order, 1, "ana@studio.example")
    assign(order, 2, "bo@studio.example")

    call_command("simulate_course_platform", "ana@studio.example", "--now", verbosity=0)

    assert list(Progress.objects.values_list("holder_email", flat=True)) == ["ana@studio.example"]
    with pytest.raises(CommandError):
        call_command("simulate_course_platform", "nobody@studio.example")


def test_with_post_it_signs_and_sends_to_the_running_shop(transactional_db, live_server, catalog):
    order = seated_order(catalog["level-i"], 1)
    assign(order, 1, "ana@studio.example")
    out = io.StringIO()

    call_command(
        "simulate_course_platform",
        "ana@studio.example",
        "--post",
        f"--url={live_server.url}/course-platform/events/",
        stdout=out,
    )
    run_ready_tasks()

    assert "learner.started (HTTP 200)" in out.getvalue()
    assert Progress.objects.get(holder_email="ana@studio.example").started_at is not None


def test_post_needs_the_secret(catalog, settings):
    settings.COURSE_PLATFORM_EVENTS_SECRET = ""

    with pytest.raises(CommandError, match="COURSE_PLATFORM_EVENTS_SECRET"):
        call_command("simulate_course_platform", "ana@studio.example", "--post")
