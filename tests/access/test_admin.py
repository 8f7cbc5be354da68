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
