"""Issue 34's mutants of handing out seats (teams.seats, teams.claims, teams.seat_views; once access/seats.py
and access/seat_views.py): each test fails with the named mutant applied and passes without it."""

import pytest
from django_tasks_db.models import DBTaskResult

from access.grants import revoke_grants
from access.models import EnrolmentDelivery, Grant
from checkout.models import Order
from teams import claims, seats

pytestmark = pytest.mark.django_db

GIVEN_EMAIL_TASK = "access.emails.send_access_given_email"


def free_seat(order: Order, number: int = 3) -> Grant:
    return Grant.objects.filter(order=order, seat=number).first()


def test_a_holder_on_another_buyers_order_is_not_asked_about_or_named(team_order, paid_order):
    """Kills issue-34 mutant: teams/seats "held on another order" looking at other buyers' orders, leaking
    their references (99)."""
    theirs = paid_order("bundle", 1, email="ida@other.example", name="Ida")
    assert Grant.objects.filter(order=theirs, holder_email="ida@other.example").exists()

    seat = seats.assign_seat(
        grant_token=free_seat(team_order).token,
        buyer_email=team_order.email,
        name="Ida",
        email="ida@other.example",
    )

    assert {g.holder_email for g in seat} == {"ida@other.example"}
    assert not team_order.history.filter(message__contains=theirs.reference).exists()


def test_reassigning_cancels_the_previous_holders_unsent_enrolment(team_order, settings):
    """Kills issue-34 mutant: teams/seats reassigning leaving the previous holder's unsent enrolment queued
    (191)."""
    settings.COURSE_ENROLMENT_WEBHOOK_URL = "https://courses.example/hooks/cpma"
    settings.COURSE_ENROLMENT_WEBHOOK_SECRET = "course-platform-secret"
    token = free_seat(team_order).token
    seats.assign_seat(grant_token=token, buyer_email=team_order.email, name="Pat", email="pat@studio.example")
    queued = EnrolmentDelivery.objects.filter(grant__holder_email="pat@studio.example")
    assert queued.exists() and not queued.filter(cancelled_at__isnull=False).exists()
    pats = list(queued.values_list("pk", flat=True))

    seats.reassign_seat(
        grant_token=token, buyer_email=team_order.email, name="Quinn", email="q@studio.example"
    )

    left = EnrolmentDelivery.objects.filter(pk__in=pats)
    assert left.count() == len(pats) and not left.filter(cancelled_at__isnull=True).exists()
    assert EnrolmentDelivery.objects.filter(
        payload__holder__email="q@studio.example", cancelled_at__isnull=True
    ).exists()


def test_a_seat_of_an_order_refunded_a_moment_ago_cannot_be_assigned(team_order):
    """Kills issue-34 mutant: teams/seats assigning a seat of a refunded order (164). The refund is recorded;
    converging access (which revokes the grants) has not run yet."""
    Order.objects.filter(pk=team_order.pk).update(status=Order.Status.REFUNDED)
    seat = free_seat(team_order)

    with pytest.raises(seats.SeatUnavailable):
        seats.assign_seat(
            grant_token=seat.token, buyer_email=team_order.email, name="Pat", email="pat@studio.example"
        )

    assert set(Grant.objects.filter(line=seat.line, seat=seat.seat).values_list("state", flat=True)) == {
        Grant.State.UNASSIGNED
    }


def test_a_claim_rechecks_under_the_lock_that_the_order_still_gives_access(team_order, monkeypatch):
    """Kills issue-34 mutant: teams/claims a claim under lock not rechecking that the order still gives
    access (237). The refund lands between the claim page's check and the claim's row lock (the threads
    of this race on PostgreSQL are in test_mutants_seats_postgresql.py)."""
    seat = free_seat(team_order)
    checked = claims.claimable_seat

    def checked_then_refunded(line_id, seat_number):
        found = checked(line_id, seat_number)
        Order.objects.filter(pk=team_order.pk).update(status=Order.Status.REFUNDED)
        return found

    monkeypatch.setattr(claims, "claimable_seat", checked_then_refunded)

    with pytest.raises(seats.SeatUnavailable, match="no longer gives access"):
        claims.claim_seat(line_id=seat.line_id, seat_number=seat.seat, name="Cy", email="cy@studio.example")

    assert not Grant.objects.filter(holder_email="cy@studio.example").exists()


def test_the_access_email_of_a_revoked_seat_is_not_resent(team_order, client):
    """Kills issue-34 mutant: teams/seat_views resending the access email of a revoked seat (262)."""
    anas = Grant.objects.filter(order=team_order, holder_email="ana@studio.example")
    revoke_grants(anas.values_list("pk", flat=True), reason="partial refund", source="staff:finance")
    DBTaskResult.objects.all().delete()

    response = client.post(f"/purchases/seats/{anas.first().token}/resend/")

    assert response.status_code == 404
    assert not DBTaskResult.objects.filter(task_path=GIVEN_EMAIL_TASK).exists()
    assert not team_order.history.filter(message__contains="Access email resent").exists()
