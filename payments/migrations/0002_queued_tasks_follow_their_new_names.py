"""Task rows written under the names tasks had before checkout and access were split (queued, running,
failed or done) take their new names (settings.TASK_PATH_ALIASES), so the worker, reconcile's re-runs of
failed tasks and admin's "run again" all find them. Rows an old process writes after this migration are
renamed by the worker when it claims them (common.worker)."""

from django.conf import settings
from django.db import migrations


def rename(apps, schema_editor):
    results = apps.get_model("django_tasks_database", "DBTaskResult").objects
    for old, new in settings.TASK_PATH_ALIASES.items():
        results.filter(task_path=old).update(task_path=new)


def rename_back(apps, schema_editor):
    results = apps.get_model("django_tasks_database", "DBTaskResult").objects
    for old, new in settings.TASK_PATH_ALIASES.items():
        results.filter(task_path=new).update(task_path=old)


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0001_initial"),
        ("invoicing", "0001_initial"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunPython(rename, rename_back)]
