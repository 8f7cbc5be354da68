import re

from django.db import migrations, models

# How 0001's rows name who asked: "the buyer (ana@example.com)" or "accounts payable (ap@example.com)".
ADDRESS_AT_END = re.compile(r"\(([^()\s]+@[^()\s]+)\)\s*$")


def addresses_from_requested_by(apps, schema_editor):
    InvoiceCorrection = apps.get_model("corrections", "InvoiceCorrection")
    for correction in InvoiceCorrection.objects.filter(requester_email=""):
        found = ADDRESS_AT_END.search(correction.requested_by)
        if found:
            correction.requester_email = found.group(1)[:254]
            correction.save(update_fields=["requester_email"])


class Migration(migrations.Migration):
    dependencies = [
        ("corrections", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="invoicecorrection",
            name="requester_email",
            field=models.EmailField(
                blank=True, help_text="Where the answer goes (else the buyer's address).", max_length=254
            ),
        ),
        migrations.RunPython(addresses_from_requested_by, migrations.RunPython.noop),
    ]
