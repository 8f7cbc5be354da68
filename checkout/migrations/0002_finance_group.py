from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Finance"
CODENAMES = ["view_order", "view_orderline", "view_stripeevent", "export_orders"]


def create_group(apps, schema_editor):
    app_config = apps.get_app_config("checkout")
    app_config.models_module = True  # migration app configs are stubs without it
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="checkout", codename__in=CODENAMES)
    )


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("checkout", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
