"""Reading values out of Stripe objects (plain dicts fetched from Stripe's API): ids and times."""

import datetime as dt
from collections.abc import Mapping
from typing import Any

from common.text import single_line


def object_id(value: Any) -> str:
    """An expandable Stripe field is an id string, or the object itself when expanded."""
    if isinstance(value, Mapping):
        value = value.get("id")
    return single_line(value, 255)


def stripe_time(timestamp: Any) -> dt.datetime | None:
    if isinstance(timestamp, int) and not isinstance(timestamp, bool) and 0 < timestamp < 253_402_300_800:
        return dt.datetime.fromtimestamp(timestamp, tz=dt.UTC)
    return None
