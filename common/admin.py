"""Admin building blocks without rules: records that are evidence, shown but never edited."""

from django.contrib import admin

from common import (
    admin_tasks,  # noqa: F401  (registers the background task admin)
    hooks,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Data that comes from elsewhere (Stripe, a task, a download): staff can look, never add, edit or
    delete."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


def extensions(setting: str) -> list:
    """Admin pieces another app contributes to this one, named (dotted paths) in the setting `setting`:
    the lower app never imports the higher one, and nobody patches another app's admin class."""
    return hooks.named(setting)
