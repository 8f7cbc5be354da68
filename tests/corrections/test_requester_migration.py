"""corrections 0002 gives each earlier correction the address of whoever asked, read once from the text the
page recorded ("the buyer (…)", "accounts payable (…)"); a text without one leaves it for the buyer's."""

import pytest

from tests.migrating import latest, migrate_to

BEFORE = [("corrections", "0001_initial")]
AFTER = [("corrections", "0002_requester_email")]


@pytest.mark.django_db(transaction=True)
def test_earlier_corrections_get_the_address_their_text_names():
    newest = latest()
    try:
        apps = migrate_to(BEFORE)
        Order = apps.get_model("checkout", "Order")
        InvoiceCorrection = apps.get_model("corrections", "InvoiceCorrection")

        def made(requested_by):
            return InvoiceCorrection.objects.create(
                order=Order.objects.create(currency="EUR", email="ana@example.com"),
                kind="header",
                requested_by=requested_by,
                company_name="Studio",
                country="DE",
            ).pk

        asked = {
            made("accounts payable (ap@studio.example)"): "ap@studio.example",
            made("the buyer (ana@example.com)"): "ana@example.com",
            made("the buyer"): "",
        }

        apps = migrate_to(AFTER)
        InvoiceCorrection = apps.get_model("corrections", "InvoiceCorrection")
        assert {pk: InvoiceCorrection.objects.get(pk=pk).requester_email for pk in asked} == asked
    finally:
        migrate_to(newest)
