"""Every stored address in the one normal form (common.text.normalise_email): lookups compare by equality."""

from django.db import migrations

from common.text import normalise_email


def normalise(apps, schema_editor):
    Order = apps.get_model("checkout", "Order")
    EmailDelivery = apps.get_model("checkout", "EmailDelivery")
    for order in Order.objects.exclude(email="").only("email").iterator():
        normalised = normalise_email(order.email)
        if normalised and normalised != order.email:
            Order.objects.filter(pk=order.pk).update(email=normalised)
    for delivery in EmailDelivery.objects.only("order_id", "purpose", "recipient").iterator():
        normalised = normalise_email(delivery.recipient)
        if not normalised or normalised == delivery.recipient:
            continue
        taken = EmailDelivery.objects.filter(
            order_id=delivery.order_id, purpose=delivery.purpose, recipient=normalised
        ).exists()
        if not taken:  # two rows for one address in two spellings: the normal one stands
            EmailDelivery.objects.filter(pk=delivery.pk).update(recipient=normalised)


class Migration(migrations.Migration):
    dependencies = [("checkout", "0007_line_price_adjustments")]

    operations = [migrations.RunPython(normalise, migrations.RunPython.noop)]
