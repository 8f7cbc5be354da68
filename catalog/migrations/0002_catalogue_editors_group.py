from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Catalogue editors"
MODELS = {
    "catalog": ["product", "bundleitem", "curriculummodule"],
    "faq": ["question"],
}


def create_group(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist now.
    for app_label in MODELS:
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True  # migration app configs are stubs without it
        create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    for app_label, model_names in MODELS.items():
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label=app_label, content_type__model__in=model_names)
        )


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("catalog", "0001_initial"),
        ("faq", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
