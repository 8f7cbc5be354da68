from django.contrib.auth.models import User
from django.core import mail

from access.models import Grant, KitFile
from tests.access.conftest import run_ready_tasks
from tests.access.test_downloads import add_file


def staff_client(client):
    client.force_login(User.objects.create_superuser("boss", "boss@example.com", "a-long-test-password"))
    return client


def test_staff_find_grants_by_holder_email_or_order_with_download_counts(paid_order, catalog, client):
    order = paid_order("resume-kit", 2, email="findme@example.com")
    staff = staff_client(client)

    by_email = staff.get("/admin/access/grant/", {"q": "findme@example.com"})
    by_order = staff.get("/admin/access/grant/", {"q": order.reference})
    page = staff.get(f"/admin/access/grant/{Grant.objects.filter(order=order).first().pk}/change/")

    assert by_email.status_code == by_order.status_code == page.status_code == 200
    assert "findme@example.com" in by_email.text and order.reference in by_order.text
    assert "downloads" in by_email.text.lower()


def test_staff_revoke_then_restore_through_the_services(paid_order, client):
    order = paid_order("level-i", 1)
    grant = Grant.objects.get(order=order)
    staff = staff_client(client)
    mail.outbox.clear()

    staff.post("/admin/access/grant/", {"action": "revoke", "_selected_action": [grant.pk]})
    run_ready_tasks()
    grant.refresh_from_db()
    assert grant.state == "revoked" and grant.revoked_reason == "revoked by staff"
    assert [m.to for m in mail.outbox] == [[order.email]]
    assert order.history.filter(kind="access", message__contains="revoked by staff").exists()

    staff.post("/admin/access/grant/", {"action": "restore", "_selected_action": [grant.pk]})
    grant.refresh_from_db()
    assert grant.state == "active"


def test_kit_files_are_on_the_product_admin_page(catalog, client):
    add_file(catalog["ai-kit"], "prompts.zip", b"PK")

    page = staff_client(client).get(f"/admin/catalog/product/{catalog['ai-kit'].pk}/change/")

    assert page.status_code == 200
    assert "kit files" in page.text.lower() and "prompts.zip" in page.text
    assert "access_instructions" in page.text
    assert KitFile.objects.count() == 1


def test_resend_access_email_sends_it_again_once_per_click(paid_order, client):
    order = paid_order("bundle", 2)
    seat_one = list(Grant.objects.filter(order=order, seat=1))
    unassigned = Grant.objects.filter(order=order, seat=2).first()
    staff = staff_client(client)
    mail.outbox.clear()

    selected = [g.pk for g in seat_one] + [unassigned.pk]  # four grants of one seat, and a seat nobody holds
    staff.post("/admin/access/grant/", {"action": "resend_access_email", "_selected_action": selected})
    run_ready_tasks()
    run_ready_tasks()
    first = [m.to for m in mail.outbox]
    staff.post("/admin/access/grant/", {"action": "resend_access_email", "_selected_action": selected})
    run_ready_tasks()

    assert first == [[order.email]]  # one email for the seat, none for the unassigned one
    assert [m.to for m in mail.outbox] == [[order.email], [order.email]]
    assert order.history.filter(kind="access", message__contains="resent").count() == 2


def test_a_partial_refund_revokes_nothing_until_staff_revoke_the_seat_they_choose(
    paid_order, fake_stripe, deliver_event, client
):
    from teams import seats
    from tests.stripe_fake import make_event

    order = paid_order("level-i", 2)
    seat_two = Grant.objects.get(order=order, seat=2)
    seats.assign_seat(
        grant_token=seat_two.token, buyer_email=order.email, name="Ana", email="ana@example.com"
    )
    run_ready_tasks()
    line_price = order.lines.get().unit_price_cents

    deliver_event(
        make_event("refund.created", fake_stripe.refund(order.stripe_session_id, amount=line_price))
    )
    order.refresh_from_db()
    assert order.status == "partially_refunded"
    assert set(Grant.objects.filter(order=order).values_list("state", flat=True)) == {"active"}

    staff_client(client).post("/admin/access/grant/", {"action": "revoke", "_selected_action": [seat_two.pk]})
    run_ready_tasks()

    states = dict(Grant.objects.filter(order=order).values_list("seat", "state"))
    assert states == {1: "active", 2: "revoked"}
    assert [m.to for m in mail.outbox if "access has ended" in m.subject] == [["ana@example.com"]]
