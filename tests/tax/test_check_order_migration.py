"""tax 0002 and invoicing 0003 name the order every existing registry check bills: an order's own check its
order, a payment request's check the request's order, so the receipts find both with one filter."""

import pytest

from tests.migrating import latest, migrate_to

BEFORE = [("tax", "0001_initial"), ("invoicing", "0002_payer_bill_to_and_decline")]
AFTER = [("invoicing", "0003_tax_checks_name_their_order")]


@pytest.mark.django_db(transaction=True)
def test_old_checks_name_the_order_they_bill():
    newest = latest()
    try:
        apps = migrate_to(BEFORE)
        Order = apps.get_model("checkout", "Order")
        PaymentRequest = apps.get_model("invoicing", "PaymentRequest")
        TaxIdCheck = apps.get_model("tax", "TaxIdCheck")
        own, requested = Order.objects.create(currency="EUR"), Order.objects.create(currency="EUR")
        request = PaymentRequest.objects.create(
            order=requested,
            token_hash="x" * 64,
            buyer_name="Ana",
            buyer_email="ana@example.com",
            payer_name="Ben",
            payer_email="ben@example.com",
            company_name="Studio GmbH",
            billing_country="DE",
        )
        # The request's id equals the first order's id on a fresh database: the purpose must decide.
        order_check = TaxIdCheck.objects.create(
            purpose="order", subject_id=own.pk, country="DE", number="DE1"
        )
        request_check = TaxIdCheck.objects.create(
            purpose="payment_request", subject_id=request.pk, country="DE", number="DE2"
        )
        orphan = TaxIdCheck.objects.create(
            purpose="payment_request", subject_id=999999, country="DE", number="DE3"
        )

        apps = migrate_to(AFTER)
        TaxIdCheck = apps.get_model("tax", "TaxIdCheck")
        assert TaxIdCheck.objects.get(pk=order_check.pk).order_id == own.pk
        assert TaxIdCheck.objects.get(pk=request_check.pk).order_id == requested.pk
        assert TaxIdCheck.objects.get(pk=orphan.pk).order_id is None
    finally:
        migrate_to(newest)
