"""Text from outside (Stripe payloads, form fields) made safe to store and to put in an email header."""

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

# C0 and C1 control characters, NUL included; tabs and line breaks too, since every field we store from
# Stripe is a single line (a name, an email address, an id).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Lone UTF-16 surrogates: valid in a Python string (and in JSON escapes), but no database or email can hold them.
SURROGATES = re.compile(r"[\ud800-\udfff]")
# In a form field: C0 controls (NUL included) and DEL, less tab and line breaks, which a textarea may hold.
FORM_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Characters that show as nothing yet make two addresses differ: zero-width space, non-joiner, joiner and
# word joiner, the byte order mark, soft hyphen, the Mongolian vowel separator and the direction marks and
# embeddings. Copied from chat or a web page they hide inside a perfect-looking address.
INVISIBLE_CHARACTERS = re.compile(
    "[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)


def single_line(value: object, max_length: int) -> str:
    """`value` as one line of at most `max_length` characters: control characters removed, spaces collapsed.

    Anything that is not a string (None, a number, a nested object in a hostile payload) becomes "".
    """
    if not isinstance(value, str):
        return ""
    cleaned = " ".join(CONTROL_CHARACTERS.sub(" ", SURROGATES.sub("", value[: max_length * 4])).split())
    return cleaned[:max_length]


def email_address(value: object) -> str:
    """A usable email address from outside, or "" when it is not one (never a broken email header)."""
    if (
        not isinstance(value, str)
        or len(value) > 254
        or CONTROL_CHARACTERS.search(value)
        or SURROGATES.search(value)
    ):
        return ""
    try:
        validate_email(value)
    except ValidationError:
        return ""
    return value


def without_nul(value: Any) -> Any:
    """A JSON value with NUL characters and lone surrogates removed from every string (PostgreSQL's jsonb
    refuses both)."""
    if isinstance(value, str):
        return SURROGATES.sub("", value.replace("\x00", ""))
    if isinstance(value, list):
        return [without_nul(item) for item in value]
    if isinstance(value, dict):
        return {without_nul(key): without_nul(item) for key, item in value.items()}
    return value


def normalise_email(value: object) -> str:
    """The one form in which every address is stored, looked up and compared ("" when it is not one).

    Invisible characters (INVISIBLE_CHARACTERS) removed from the local part and the domain alike, since IDNA
    would drop some of them from the domain silently and refuse none; surrounding space stripped; the domain IDNA-encoded (internationalised domains compare in their `xn--`
    form, so `gmaıl.com` with a dotless ı never equals `gmail.com`) and lower-cased; the local part
    lower-cased only when it is ASCII (Unicode case rules map look-alikes together: never fold those).
    Compare normalised addresses with plain equality, never a case-insensitive database lookup (PostgreSQL's
    UPPER() maps ı to I).
    """
    if not isinstance(value, str) or len(value) > 320:
        return ""
    local, at, domain = INVISIBLE_CHARACTERS.sub("", value).strip().rpartition("@")
    if not at or not local or not domain:
        return ""
    try:
        domain = domain.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return ""
    if local.isascii():
        local = local.lower()
    return email_address(f"{local}@{domain}")
