"""While the course enrolment webhook is off, staff enrol course holders by hand: a worklist in admin of the
holders waiting, and "mark enrolled", recorded on an EnrolmentDelivery and in the order's history, with the
holder emailed the course instructions once. The pages and emails say "ready now" only when it is."""

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse

from access import manual_enrolment
from access.models import EnrolmentDelivery, Grant
from access.purchases_page import ENROLLED
from checkout.receipts import COURSE_ENROLMENT_COMES
from tests.access.test_enrolment_webhook import platform  # noqa: F401  (fixture)
from tests.checkout.conftest import run_ready_tasks
from tests.factories import make_staff

pytestmark = pytest.mark.django_db

WORKLIST = reverse("admin:access_holdertoenrol_changelist")
ACTION = "mark_enrolled"


@pytest.fixture
def enroller(client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = make_staff("enroller")
    user.user_permissions.add(*Permission.objects.filter(codename__endswith="_holdertoenrol"))
    client.force_login(user)
    return client


@pytest.fixture
def instructions(catalog):
    for slug in ("level-i", "level-ii"):
        catalog[slug].access_instructions = f"Sign in at learn.example.com and open {slug} first."
        catalog[slug].save()
    catalog["resume-kit"].access_instructions = "Open the README first."
    catalog["resume-kit"].save()
    return catalog


def level_i_grant(order) -> Grant:
    return order.grants.get(product__slug="level-i")


def test_the_worklist_lists_course_holders_waiting_and_no_kits(paid_order, enroller, instructions):
    order = paid_order("bundle", email="pat@example.com")
    page = enroller.get(WORKLIST).content.decode()

    assert page.count("pat@example.com") == 2  # Level I and Level II
    assert "Project Manager Resume Kit" not in page
    assert set(manual_enrolment.waiting_for_enrolment().values_list("product__slug", flat=True)) == {
        "level-i",
        "level-ii",
    }
    assert order.grants.filter(product__kind="kit").exists()


def test_mark_enrolled_records_it_emails_the_instructions_once_and_leaves_the_list(
    paid_order, enroller, instructions
):
    order = paid_order("level-i", email="pat@example.com")
    grant = level_i_grant(order)
    mail.outbox.clear()

    response = enroller.post(WORKLIST, {"action": ACTION, "_selected_action": [grant.pk]}, follow=True)
    assert "1 holder(s) marked enrolled" in response.content.decode()
    enroller.post(WORKLIST, {"action": ACTION, "_selected_action": [grant.pk]})  # a second click
    run_ready_tasks()

    [delivery] = EnrolmentDelivery.objects.filter(grant=grant)
    assert delivery.marked_by == "enroller" and delivery.delivered_at is not None
    assert order.history.filter(kind="enrolled", source="staff:enroller").count() == 1
    [email] = [m for m in mail.outbox if m.to == ["pat@example.com"]]
    assert email.subject == f"You are enrolled on CPMA Level I Certification (order {order.reference})"
    assert "Sign in at learn.example.com and open level-i first." in email.body
    assert "ready now" in email.body
    assert "pat@example.com" not in enroller.get(WORKLIST).content.decode()
    run_ready_tasks()
    assert len([m for m in mail.outbox if m.to == ["pat@example.com"]]) == 1


def test_the_purchases_page_says_how_enrolment_comes_then_that_it_is_done(
    paid_order, client, sign_in, instructions
):
    order = paid_order("level-i", email="pat@example.com")
    sign_in("pat@example.com")
    assert COURSE_ENROLMENT_COMES in client.get("/purchases/").content.decode()

    manual_enrolment.mark_enrolled([level_i_grant(order).pk], staff="enroller")
    page = client.get("/purchases/").content.decode()
    assert ENROLLED in page and COURSE_ENROLMENT_COMES not in page


def test_a_revoked_and_restored_holder_is_waiting_again(paid_order, instructions):
    from access import grants

    order = paid_order("level-i", email="pat@example.com")
    grant = level_i_grant(order)
    manual_enrolment.mark_enrolled([grant.pk], staff="enroller")
    assert not manual_enrolment.waiting_for_enrolment().exists()

    grants.revoke_grants([grant.pk], reason="revoked by staff", source="staff:test")
    assert not manual_enrolment.waiting_for_enrolment().exists()  # revoked: nothing to enrol
    grants.restore_grants([grant.pk], source="staff:test")
    assert list(manual_enrolment.waiting_for_enrolment()) == [grant]


def test_staff_without_the_permission_cannot_mark(paid_order, client, settings, instructions):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    order = paid_order("level-i", email="pat@example.com")
    client.force_login(make_staff("money", group="Finance"))
    assert client.get(WORKLIST).status_code == 403
    client.post(WORKLIST, {"action": ACTION, "_selected_action": [level_i_grant(order).pk]})
    assert not EnrolmentDelivery.objects.exists()


def test_with_the_webhook_on_there_is_no_worklist(paid_order, enroller, platform, instructions):  # noqa: F811
    paid_order("level-i", email="pat@example.com")
    assert enroller.get(WORKLIST).status_code == 403


def access_email(order, email: str):
    """The access email of the buyer's seat, sent again by staff (one per seat)."""
    from access import grants

    mail.outbox.clear()
    grants.resend_access_emails(order.grants.filter(seat=1).values_list("pk", flat=True), source="staff:test")
    run_ready_tasks()
    [message] = [m for m in mail.outbox if m.to == [email]]
    return message


def test_the_access_email_says_ready_now_only_for_what_is(paid_order, instructions):
    kit_email = access_email(paid_order("resume-kit", email="kim@example.com"), "kim@example.com")
    assert kit_email.subject.startswith("Your CPMA access is ready")
    assert "Your access is ready now." in kit_email.body

    seat_email = access_email(paid_order("bundle", quantity=2, email="lee@example.com"), "lee@example.com")
    body = " ".join(seat_email.body.split())
    assert seat_email.subject.startswith("Your CPMA access: how to start")
    assert "Your access is ready" not in body
    assert (
        "Project Manager Resume Kit and Creative PM AI Kit are ready now; the academy enrols you on CPMA Level "
        "I Certification and CPMA Level II Certification within one working day and emails you how to sign "
        "in." in body
    )
    assert body.count(COURSE_ENROLMENT_COMES) == 2


def test_an_enrolled_course_reads_ready_in_the_access_email(paid_order, instructions):
    order = paid_order("level-i", email="lee@example.com")
    manual_enrolment.mark_enrolled([level_i_grant(order).pk], staff="enroller")
    run_ready_tasks()

    resent = access_email(order, "lee@example.com")
    assert resent.subject.startswith("Your CPMA access is ready")
    assert "Your access is ready now." in resent.body
    assert "you are enrolled on the course platform" in resent.body
