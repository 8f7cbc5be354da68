from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Finance"
CODENAMES = [
    "view_order",
    "view_orderline",
    "view_stripeevent",
    "export_orders",
    "view_payment",
    "view_refund",
    "view_dispute",
    "view_orderevent",
    "view_emaildelivery",
    "view_payout",
    "view_payoutline",
]


def grant(apps, schema_editor):
    """The Finance group sees every money record and may export (the group itself dates from checkout 0002)."""
    app_config = apps.get_app_config("checkout")
    app_config.models_module = True  # migration app configs are stubs without it
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="checkout", codename__in=CODENAMES)
    )


class Migration(migrations.Migration):
    dependencies = [("checkout", "0004_payouts"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
