"""How a lower app calls what higher apps add, without importing them: a setting names functions by dotted
path (config/settings.py says, beside each, what they take and give) and the caller asks this module.

- `named(setting)`: the functions a list setting names, in its order (tasks to enqueue, steps to run).
- `one(setting)`: the function a single-path setting names, or None when it is empty.
- `merged(setting, ...)`: each function's dict joined into one (page or email context). Two parts giving
  the same key would silently overwrite one another, so a clash is refused as a configuration error, also
  with the keys the caller already has (`into`)."""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string


def named(setting: str) -> list[Callable]:
    return [import_string(path) for path in getattr(settings, setting, ())]


def one(setting: str) -> Callable | None:
    path = getattr(settings, setting, "")
    return import_string(path) if path else None


def merged(setting: str, *args: Any, into: dict | None = None, **kwargs: Any) -> dict:
    joined = {} if into is None else into
    given_by = dict.fromkeys(joined, "the caller")
    for path in getattr(settings, setting, ()):
        part = import_string(path)(*args, **kwargs)
        for key in part:
            if key in given_by:
                raise ImproperlyConfigured(
                    f"settings.{setting}: {path} and {given_by[key]} both give {key!r}."
                )
            given_by[key] = path
        joined.update(part)
    return joined
