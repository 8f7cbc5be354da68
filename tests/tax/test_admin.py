from django.urls import reverse

from tax.models import TaxIdCheck


def test_staff_can_read_the_checks_but_not_change_them(admin_client):
    check = TaxIdCheck.objects.create(
        purpose="order", subject_id=1, country="DE", number="DE136695000", result="invalid"
    )

    listing = admin_client.get(reverse("admin:tax_taxidcheck_changelist"))
    page = admin_client.get(reverse("admin:tax_taxidcheck_change", args=[check.pk]))

    assert listing.status_code == 200 and "DE136695000" in listing.content.decode()
    assert page.status_code == 200
    assert admin_client.get(reverse("admin:tax_taxidcheck_add")).status_code == 403
