from django.db import migrations


def orders_of_request_checks(apps, schema_editor):
    """Each registry check made for a payment request names the order the request bills (tax 0002)."""
    TaxIdCheck = apps.get_model("tax", "TaxIdCheck")
    PaymentRequest = apps.get_model("invoicing", "PaymentRequest")
    orders = dict(PaymentRequest.objects.values_list("pk", "order_id"))
    for check in TaxIdCheck.objects.filter(purpose="payment_request", order_id__isnull=True):
        if check.subject_id in orders:
            check.order_id = orders[check.subject_id]
            check.save(update_fields=["order_id"])


class Migration(migrations.Migration):
    dependencies = [
        ("invoicing", "0002_payer_bill_to_and_decline"),
        ("tax", "0002_check_order"),
    ]

    operations = [
        migrations.RunPython(orders_of_request_checks, migrations.RunPython.noop),
    ]
