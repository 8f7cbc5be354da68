"""What a tax registry says about one VAT number, and the one way its clients fetch JSON: with a timeout,
and with every network failure, timeout or 5xx turned into "could not check" (RegistryUnavailable), never
into an answer."""

import datetime as dt
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

# Registry answers larger than this are not read (a real one is under 2 KB).
MAX_RESPONSE_BYTES = 64 * 1024


@dataclass(frozen=True)
class RegistryAnswer:
    """`valid` is True (registered), False (the registry says it is not) or None (the registry could not be
    asked, or gave no answer: `error` says why). `reference` is the registry's consultation number, when
    it gives one, to prove the check was made."""

    valid: bool | None
    name: str = ""
    address: str = ""
    consulted_at: dt.datetime | None = None
    reference: str = ""
    error: str = ""
    # True when the registry could not be asked now and asking again later may answer.
    retry_later: bool = False


class RegistryUnavailable(Exception):
    """The registry could not answer now (down, busy, timed out): try again later."""


def get_json(url: str, *, headers: dict[str, str], timeout: float) -> tuple[int, Any]:
    """The status and decoded JSON body of a GET; 4xx answers are returned (they carry the registry's
    reason), anything else that is not a 2xx raises RegistryUnavailable."""
    request = urllib.request.Request(url, headers={"Accept": "application/json", **headers})  # noqa: S310
    return _send(request, timeout)


def post_form(url: str, *, fields: dict[str, str], timeout: float) -> tuple[int, Any]:
    """The status and decoded JSON body of a form POST (an OAuth token request), answered as get_json."""
    request = urllib.request.Request(  # noqa: S310 (http(s) URLs from settings)
        url,
        data=urllib.parse.urlencode(fields).encode(),
        headers={"Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded"},
        method="POST",
    )
    return _send(request, timeout)


def _send(request: urllib.request.Request, timeout: float) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (http(s) URLs from settings)
            return response.status, _decode(response.read(MAX_RESPONSE_BYTES))
    except urllib.error.HTTPError as exc:
        if 400 <= exc.code < 500:
            return exc.code, _decode(exc.read(MAX_RESPONSE_BYTES), strict=False)
        raise RegistryUnavailable(f"the registry answered HTTP {exc.code}") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise RegistryUnavailable(f"the registry could not be reached ({exc})") from exc


def _decode(body: bytes, *, strict: bool = True) -> Any:
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        if not strict:
            return {}
        raise RegistryUnavailable("the registry's answer was not readable JSON") from exc


def text(value: Any, limit: int = 500) -> str:
    """A registry's free text (a name, an address) as one tidy string; '---' is VIES's "not disclosed"."""
    if not isinstance(value, str) or value.strip() in ("", "---"):
        return ""
    lines = (" ".join(line.split()) for line in value.splitlines())
    return ", ".join(line for line in lines if line)[:limit]
