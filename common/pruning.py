"""Deleting old rows a batch at a time, so a prune never holds long locks or one huge transaction, and the
finished task rows it is most often used for (`manage.py prune_records`)."""

import datetime as dt

from django.db import models, transaction
from django_tasks_db.models import DBTaskResult

DEFAULT_BATCH_SIZE = 1000


def delete_in_batches(queryset: models.QuerySet, *, batch_size: int = DEFAULT_BATCH_SIZE) -> int:
    """Delete every row of `queryset`, `batch_size` at a time, each batch in its own transaction; returns
    how many rows of the queryset's model went."""
    model = queryset.model
    deleted = 0
    while True:
        with transaction.atomic(using=queryset.db):
            batch = list(queryset.order_by("pk").values_list("pk", flat=True)[:batch_size])
            if not batch:
                return deleted
            _, per_model = model.objects.using(queryset.db).filter(pk__in=batch).delete()
        deleted += per_model.get(model._meta.label, 0)


def finished_tasks_before(before: dt.datetime) -> models.QuerySet:
    """Task rows that succeeded before `before`. Failed rows stay: admin shows them, reconcile looks at them
    for work still to do, and staff may run them again."""
    return DBTaskResult.objects.successful().filter(finished_at__lt=before)
