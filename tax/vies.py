"""The EU's VIES registry, through its REST API: `GET {VIES_BASE_URL}/ms/{prefix}/vat/{number}`.

VIES answers with JSON: `isValid`, `userError` (VALID, INVALID, or why it could not ask the member state:
MS_UNAVAILABLE, TIMEOUT, SERVICE_UNAVAILABLE, MS_MAX_CONCURRENT_REQ, GLOBAL_MAX_CONCURRENT_REQ), `name`,
`address`, `requestDate` and `requestIdentifier` (the consultation number, when given). A failure can also
come as `{"actionSucceed": false, "errorWrappers": [{"error": "MS_UNAVAILABLE", ...}]}`.
"""

import datetime as dt
import urllib.parse
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from tax.answers import RegistryAnswer, RegistryUnavailable, get_json, text
from tax.formats import TaxId

# VIES's codes for "the member state's registry did not answer": check again later.
UNAVAILABLE = frozenset(
    {"MS_UNAVAILABLE", "TIMEOUT", "SERVICE_UNAVAILABLE", "MS_MAX_CONCURRENT_REQ", "GLOBAL_MAX_CONCURRENT_REQ"}
)


def _errors(body: Any) -> set[str]:
    codes = {text(body.get("userError"), 50)}
    wrappers = body.get("errorWrappers")
    if isinstance(wrappers, list):
        codes |= {text(w.get("error"), 50) for w in wrappers if isinstance(w, dict)}
    return codes - {""}


def check(tax_id: TaxId) -> RegistryAnswer:
    """What VIES says of an EU VAT number; raises RegistryUnavailable when it cannot say now."""
    url = (
        f"{settings.VIES_BASE_URL}/ms/{urllib.parse.quote(tax_id.prefix)}"
        f"/vat/{urllib.parse.quote(tax_id.number)}"
    )
    status, body = get_json(url, headers={}, timeout=settings.TAX_ID_REGISTRY_TIMEOUT_SECONDS)
    if not isinstance(body, dict):
        raise RegistryUnavailable(f"VIES answered HTTP {status} without a readable answer")
    errors = _errors(body)
    if errors & UNAVAILABLE:
        raise RegistryUnavailable(f"VIES could not ask the member state ({', '.join(sorted(errors))})")
    consulted_at = parse_datetime(str(body.get("requestDate") or "")) or timezone.now()
    if timezone.is_naive(consulted_at):
        consulted_at = timezone.make_aware(consulted_at, dt.UTC)
    if body.get("isValid") is True:
        return RegistryAnswer(
            valid=True,
            name=text(body.get("name")),
            address=text(body.get("address")),
            consulted_at=consulted_at,
            reference=text(body.get("requestIdentifier"), 100),
        )
    if body.get("isValid") is False and (errors <= {"INVALID", "VALID"} or "INVALID_INPUT" in errors):
        reason = "VIES says the number is not well-formed" if "INVALID_INPUT" in errors else ""
        return RegistryAnswer(
            valid=False,
            consulted_at=consulted_at,
            reference=text(body.get("requestIdentifier"), 100),
            error=reason or "VIES says this VAT number is not registered for cross-border trade.",
        )
    raise RegistryUnavailable(
        f"VIES gave no answer (HTTP {status}, {', '.join(sorted(errors)) or 'no code'})"
    )
