"""Background tasks in admin (imported by common.admin so it registers): django-tasks-db's read-only list, plus "Run again" for failed tasks."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(DBTaskResultAdmin):
    actions = ["run_again"]
    search_fields = ["task_path", "=id"]

    @admin.action(description="Run selected failed tasks again now", permissions=["view"])
    def run_again(self, request: HttpRequest, queryset: QuerySet[DBTaskResult]) -> None:
        count = 0
        for result in queryset.filter(status="FAILED"):
            arguments = result.args_kwargs
            kwargs = {key: value for key, value in arguments["kwargs"].items() if key != "attempt"}
            result.task.using(run_after=timezone.now()).enqueue(*arguments["args"], **kwargs)
            count += 1
        self.message_user(request, f"{count} failed task(s) enqueued again.", messages.SUCCESS)
