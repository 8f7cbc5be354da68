"""The money records leave checkout's state for payments and invoicing; their tables stay (nothing is
dropped: payments 0001 and invoicing 0001 take them over as they are)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("checkout", "0009_payment_requests"),
        # The Finance group is given its view permissions on these models while they are still checkout's.
        ("finance", "0001_finance_group_payouts"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="payment",
                    name="order",
                ),
                migrations.RemoveField(
                    model_name="paymentrequest",
                    name="order",
                ),
                migrations.RemoveField(
                    model_name="payoutline",
                    name="payout",
                ),
                migrations.RemoveField(
                    model_name="refund",
                    name="order",
                ),
                migrations.RemoveField(
                    model_name="stripeevent",
                    name="order",
                ),
                migrations.DeleteModel(
                    name="Dispute",
                ),
                migrations.DeleteModel(
                    name="Payment",
                ),
                migrations.DeleteModel(
                    name="PaymentRequest",
                ),
                migrations.DeleteModel(
                    name="Payout",
                ),
                migrations.DeleteModel(
                    name="PayoutLine",
                ),
                migrations.DeleteModel(
                    name="Refund",
                ),
                migrations.DeleteModel(
                    name="StripeEvent",
                ),
            ],
            database_operations=[],
        ),
    ]
