"""payments 0004 fills in what older records already say: a payment whose fee was fetched settled as its
net plus fee, in its own currency when that is its own amount (nothing was converted); otherwise the
currency stays unknown for the fee task to read again. Refunds get their tax part by the one rule."""

import datetime as dt

import pytest

from tests.migrating import latest, migrate_to

BEFORE = [("payments", "0003_reconcile_runs")]
AFTER = [("payments", "0004_settlement_and_refund_tax")]
AT = dt.datetime(2026, 11, 2, 12, tzinfo=dt.UTC)


@pytest.mark.django_db(transaction=True)
def test_old_payments_and_refunds_get_their_settlement_and_tax_part():
    newest = latest()
    try:
        apps = migrate_to(BEFORE)
        Order = apps.get_model("checkout", "Order")
        Payment = apps.get_model("payments", "Payment")
        Refund = apps.get_model("payments", "Refund")
        order = Order.objects.create(currency="USD", total_cents=17493, tax_cents=2793, status="refunded")
        unconverted = Payment.objects.create(
            order=order,
            status="succeeded",
            amount_cents=17493,
            currency="USD",
            fee_cents=537,
            net_cents=16956,
        )
        other = Order.objects.create(currency="GBP", total_cents=10001)
        converted = Payment.objects.create(
            order=other,
            status="succeeded",
            amount_cents=10001,
            currency="GBP",
            fee_cents=393,
            net_cents=12108,
        )
        unfetched = Payment.objects.create(order=other, status="failed", amount_cents=10001, currency="GBP")
        refunds = [
            Refund.objects.create(
                order=order,
                stripe_refund_id=f"re_{n}",
                amount_cents=amount,
                currency="USD",
                status="succeeded",
                created=AT + dt.timedelta(minutes=n),
            )
            for n, amount in enumerate((5000, 5000, 7493))
        ]

        apps = migrate_to(AFTER)
        Payment = apps.get_model("payments", "Payment")
        Refund = apps.get_model("payments", "Refund")

        paid = Payment.objects.get(pk=unconverted.pk)
        assert (paid.settlement_cents, paid.settlement_currency, paid.exchange_rate) == (17493, "USD", None)
        pounds = Payment.objects.get(pk=converted.pk)
        assert (pounds.settlement_cents, pounds.settlement_currency) == (
            12501,
            "",
        )  # for the fee task to read
        assert Payment.objects.get(pk=unfetched.pk).settlement_cents is None
        parts = [Refund.objects.get(pk=refund.pk).tax_cents for refund in refunds]
        assert parts == [798, 799, 1196]
    finally:
        migrate_to(newest)
