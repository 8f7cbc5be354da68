"""The admin home's "Needs attention" list: the warnings of the system checks with one tag, run against the
database, each with a link to the object it names when admin has a page for it. Rule-free: the checks
themselves live in the apps (catalog.checks, access.checks) and in config.checks for settings."""

from dataclasses import dataclass

from django.core import checks
from django.db import models
from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class AttentionItem:
    subject: str  # what the message is about: a product's name, or "" for a setting
    message: str
    hint: str
    url: str | None  # the subject's admin page


def _admin_url(obj) -> str | None:
    if not isinstance(obj, models.Model) or obj.pk is None:
        return None
    opts = obj._meta
    try:
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    except NoReverseMatch:
        return None


def needs_attention(tag: str = "launch", databases: tuple[str, ...] = ("default",)) -> list[AttentionItem]:
    found = checks.run_checks(tags=[tag], databases=list(databases))
    return [
        AttentionItem(
            subject="" if message.obj is None else str(message.obj),
            message=message.msg,
            hint=message.hint or "",
            url=_admin_url(message.obj),
        )
        for message in found
        if message.level >= checks.WARNING and not message.is_silenced()
    ]
