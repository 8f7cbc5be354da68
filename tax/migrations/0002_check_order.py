from django.db import migrations, models


def orders_of_order_checks(apps, schema_editor):
    """A check made for an order bills that order; invoicing 0003 fills in its payment requests' checks."""
    TaxIdCheck = apps.get_model("tax", "TaxIdCheck")
    TaxIdCheck.objects.filter(purpose="order").update(order_id=models.F("subject_id"))


class Migration(migrations.Migration):
    dependencies = [
        ("tax", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="taxidcheck",
            name="order_id",
            field=models.PositiveBigIntegerField(db_index=True, null=True),
        ),
        migrations.RunPython(orders_of_order_checks, migrations.RunPython.noop),
    ]
