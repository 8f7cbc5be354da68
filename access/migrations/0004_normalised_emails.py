"""Holder addresses in the one normal form (common.text.normalise_email): lookups compare by equality."""

from django.db import migrations

from common.text import normalise_email


def normalise(apps, schema_editor):
    Grant = apps.get_model("access", "Grant")
    for grant in Grant.objects.exclude(holder_email="").only("holder_email").iterator():
        normalised = normalise_email(grant.holder_email)
        if normalised and normalised != grant.holder_email:
            Grant.objects.filter(pk=grant.pk).update(holder_email=normalised)


class Migration(migrations.Migration):
    dependencies = [("access", "0003_enrolment_deliveries"), ("checkout", "0008_normalised_emails")]

    operations = [migrations.RunPython(normalise, migrations.RunPython.noop)]
