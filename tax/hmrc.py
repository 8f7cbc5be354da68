"""HMRC's "Check a UK VAT number" API (version 2):
`GET {HMRC_BASE_URL}/organisations/vat/check-vat-number/lookup/{vrn}` with
`Accept: application/vnd.hmrc.2.0+json` and a bearer token.

The endpoint is application-restricted: the token comes from OAuth 2.0's client credentials grant,
`POST {HMRC_BASE_URL}/oauth/token` with the academy's HMRC_CLIENT_ID and HMRC_CLIENT_SECRET (from HMRC's
Developer Hub) and `grant_type=client_credentials` (and HMRC_OAUTH_SCOPE when set), answered
`{"access_token", "token_type": "bearer", "expires_in": 14400}`. The token is kept in this process until
shortly before it expires (`access_token`), and dropped when HMRC refuses it (401), so the next try asks
for a new one.

200: `{"target": {"name", "vatNumber", "address": {"line1".., "postcode", "countryCode"}}, "processingDate"}`
(a verified check adds `consultationNumber`); 404 `{"code": "NOT_FOUND"}`: not registered. Anything else
(401/403 for a refused token, 429, 5xx) means it could not be checked now.
"""

import datetime as dt
import threading
import time
import urllib.parse
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from tax.answers import RegistryAnswer, RegistryUnavailable, get_json, post_form, text
from tax.formats import TaxId

ACCEPT = "application/vnd.hmrc.2.0+json"
# A token is used until this long before HMRC says it expires, so none expires on its way there.
TOKEN_MARGIN = dt.timedelta(minutes=5)


@dataclass
class _Token:
    value: str = ""
    expires_at: float = 0.0  # time.monotonic()
    client_id: str = ""


_token = _Token()
_token_lock = threading.Lock()


def access_token() -> str:
    """HMRC's application token: the one kept in this process while it is fresh, otherwise a new one from
    the client credentials grant. Raises RegistryUnavailable when there are no credentials or HMRC does
    not give a token now."""
    client_id, secret = settings.HMRC_CLIENT_ID, settings.HMRC_CLIENT_SECRET
    if not client_id or not secret:
        raise RegistryUnavailable(
            "HMRC_CLIENT_ID and HMRC_CLIENT_SECRET are not set, so HMRC cannot be asked"
        )
    with _token_lock:
        if _token.value and _token.client_id == client_id and time.monotonic() < _token.expires_at:
            return _token.value
        fields = {"client_id": client_id, "client_secret": secret, "grant_type": "client_credentials"}
        if settings.HMRC_OAUTH_SCOPE:
            fields["scope"] = settings.HMRC_OAUTH_SCOPE
        status, body = post_form(
            f"{settings.HMRC_BASE_URL}/oauth/token",
            fields=fields,
            timeout=settings.TAX_ID_REGISTRY_TIMEOUT_SECONDS,
        )
        body = body if isinstance(body, dict) else {}
        value, lifetime = body.get("access_token"), body.get("expires_in")
        if status != 200 or not isinstance(value, str) or not value:
            # The error, never the secret: HMRC's `error` is a code such as invalid_client.
            raise RegistryUnavailable(
                f"HMRC gave no token (HTTP {status}, {text(body.get('error'), 50) or 'no error code'})"
            )
        seconds = lifetime if isinstance(lifetime, int) and not isinstance(lifetime, bool) else 0
        _token.value, _token.client_id = value, client_id
        _token.expires_at = time.monotonic() + max(0.0, seconds - TOKEN_MARGIN.total_seconds())
        return value


def forget_token(value: str) -> None:
    """Drop the kept token if it is still `value` (HMRC refused it)."""
    with _token_lock:
        if _token.value == value:
            _token.value, _token.expires_at = "", 0.0


ADDRESS_PARTS = ("line1", "line2", "line3", "line4", "line5", "postcode", "countryCode")


def check(tax_id: TaxId) -> RegistryAnswer:
    """What HMRC says of a UK VAT number; raises RegistryUnavailable when it cannot say now."""
    if not tax_id.number.isdigit():
        # Government departments and health authorities (GBGD…, GBHA…) are not in HMRC's lookup.
        return RegistryAnswer(valid=None, error="HMRC's lookup does not cover government department numbers.")
    token = access_token()
    url = f"{settings.HMRC_BASE_URL}/organisations/vat/check-vat-number/lookup/{urllib.parse.quote(tax_id.number)}"
    headers = {"Accept": ACCEPT, "Authorization": f"Bearer {token}"}
    status, body = get_json(url, headers=headers, timeout=settings.TAX_ID_REGISTRY_TIMEOUT_SECONDS)
    body = body if isinstance(body, dict) else {}
    if status == 401:
        forget_token(token)  # expired early or revoked: the retry asks for a new one
    if status == 404 and body.get("code") == "NOT_FOUND":
        return RegistryAnswer(
            valid=False, consulted_at=timezone.now(), error="HMRC says this VAT number is not registered."
        )
    target = body.get("target")
    if status != 200 or not isinstance(target, dict):
        raise RegistryUnavailable(f"HMRC answered HTTP {status} ({text(body.get('code'), 50) or 'no code'})")
    address = target.get("address") if isinstance(target.get("address"), dict) else {}
    consulted_at = parse_datetime(str(body.get("processingDate") or "")) or timezone.now()
    if timezone.is_naive(consulted_at):
        consulted_at = timezone.make_aware(consulted_at, dt.UTC)
    return RegistryAnswer(
        valid=True,
        name=text(target.get("name")),
        address=", ".join(part for key in ADDRESS_PARTS if (part := text(address.get(key), 100))),
        consulted_at=consulted_at,
        reference=text(body.get("consultationNumber"), 100),
    )
