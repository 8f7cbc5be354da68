"""What an EU or UK VAT number looks like, country by country, and the one function that tidies what a
buyer typed into the form every registry and Stripe take (`DE123456789`) or says, in plain words, what is
wrong with it.

The shapes are the ones the European Commission publishes for VIES and HMRC's for UK numbers. Check digits
are tested only where the rule is public and simple (Belgium, Italy, Poland, France's numeric key); a
number that passes here may still be unregistered: the registry check (tax.registry) answers that.
"""

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

# Longer input is refused before any work is done on it (the longest real number is 14 characters).
MAX_INPUT = 60
# Characters people type between the parts of a number.
_SEPARATORS = re.compile(r"[\s.\-/_,]+")


@dataclass(frozen=True)
class Rule:
    country: str  # the ISO country the number belongs to (Greece: GR)
    name: str  # "A German VAT number"
    pattern: str  # the part after the prefix
    shape: str  # "DE followed by 9 digits"
    checksum: Callable[[str], bool] | None = None


def _belgian(digits: str) -> bool:
    return 97 - int(digits[:8]) % 97 == int(digits[8:])


def _luhn(digits: str) -> bool:
    total = 0
    for position, digit in enumerate(reversed(digits)):
        value = int(digit) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _polish(digits: str) -> bool:
    weights = (6, 5, 7, 2, 3, 4, 5, 6, 7)
    remainder = sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % 11
    return remainder != 10 and remainder == int(digits[9])


def _french(value: str) -> bool:
    key, siren = value[:2], value[2:]
    if not key.isdigit():
        return True  # the letter keys of newer numbers follow no public rule
    return int(key) == (12 + 3 * (int(siren) % 97)) % 97


# By the prefix the number carries (Greece's is EL, not its ISO code GR).
RULES: dict[str, Rule] = {
    "AT": Rule("AT", "An Austrian VAT number", r"U\d{8}", "ATU followed by 8 digits"),
    "BE": Rule(
        "BE", "A Belgian VAT number", r"[01]\d{9}", "BE followed by 10 digits, starting 0 or 1", _belgian
    ),
    "BG": Rule("BG", "A Bulgarian VAT number", r"\d{9,10}", "BG followed by 9 or 10 digits"),
    "CY": Rule("CY", "A Cypriot VAT number", r"\d{8}[A-Z]", "CY followed by 8 digits and a letter"),
    "CZ": Rule("CZ", "A Czech VAT number", r"\d{8,10}", "CZ followed by 8 to 10 digits"),
    "DE": Rule("DE", "A German VAT number", r"\d{9}", "DE followed by 9 digits"),
    "DK": Rule("DK", "A Danish VAT number", r"\d{8}", "DK followed by 8 digits"),
    "EE": Rule("EE", "An Estonian VAT number", r"\d{9}", "EE followed by 9 digits"),
    "EL": Rule("GR", "A Greek VAT number", r"\d{9}", "EL followed by 9 digits"),
    "ES": Rule(
        "ES",
        "A Spanish VAT number",
        r"[0-9A-Z]\d{7}[0-9A-Z]",
        "ES followed by 9 characters (digits, or a letter first or last)",
    ),
    "FI": Rule("FI", "A Finnish VAT number", r"\d{8}", "FI followed by 8 digits"),
    "FR": Rule(
        "FR",
        "A French VAT number",
        r"[0-9A-HJ-NP-Z]{2}\d{9}",
        "FR followed by 2 digits or letters and 9 digits",
        _french,
    ),
    "HR": Rule("HR", "A Croatian VAT number", r"\d{11}", "HR followed by 11 digits"),
    "HU": Rule("HU", "A Hungarian VAT number", r"\d{8}", "HU followed by 8 digits"),
    "IE": Rule(
        "IE",
        "An Irish VAT number",
        r"\d{7}[A-W][A-I]?|\d[A-Z+*]\d{5}[A-W]",
        "IE followed by 7 digits and one or two letters",
    ),
    "IT": Rule("IT", "An Italian VAT number", r"\d{11}", "IT followed by 11 digits", _luhn),
    "LT": Rule("LT", "A Lithuanian VAT number", r"\d{9}|\d{12}", "LT followed by 9 or 12 digits"),
    "LU": Rule("LU", "A Luxembourg VAT number", r"\d{8}", "LU followed by 8 digits"),
    "LV": Rule("LV", "A Latvian VAT number", r"\d{11}", "LV followed by 11 digits"),
    "MT": Rule("MT", "A Maltese VAT number", r"\d{8}", "MT followed by 8 digits"),
    "NL": Rule(
        "NL", "A Dutch VAT number", r"\d{9}B\d{2}", "NL followed by 9 digits, the letter B and 2 digits"
    ),
    "PL": Rule("PL", "A Polish VAT number", r"\d{10}", "PL followed by 10 digits", _polish),
    "PT": Rule("PT", "A Portuguese VAT number", r"\d{9}", "PT followed by 9 digits"),
    "RO": Rule("RO", "A Romanian VAT number", r"[1-9]\d{1,9}", "RO followed by 2 to 10 digits"),
    "SE": Rule("SE", "A Swedish VAT number", r"\d{10}01", "SE followed by 12 digits, ending in 01"),
    "SI": Rule("SI", "A Slovenian VAT number", r"\d{8}", "SI followed by 8 digits"),
    "SK": Rule("SK", "A Slovak VAT number", r"\d{10}", "SK followed by 10 digits"),
    "GB": Rule(
        "GB",
        "A UK VAT number",
        r"\d{9}|\d{12}|GD[0-4]\d{2}|HA[5-9]\d{2}",
        "GB followed by 9 or 12 digits (government departments: GBGD and 3 digits; health authorities: GBHA and 3 digits)",
    ),
    # Northern Ireland's traders use XI with their UK number in EU dealings; VIES answers for them and
    # Stripe records them as `eu_vat`.
    "XI": Rule("XI", "A Northern Ireland VAT number", r"\d{9}|\d{12}", "XI followed by 9 or 12 digits"),
}
# The prefix each country's numbers carry.
PREFIX_OF_COUNTRY = {rule.country: prefix for prefix, rule in RULES.items()}
# The EU's member states (ISO codes: Greece is GR here, EL only as a VAT prefix).
EU_COUNTRIES = frozenset(rule.country for prefix, rule in RULES.items() if prefix not in {"GB", "XI"})


class TaxIdFormatError(ValueError):
    """The number cannot be what it claims to be; the message says why, for the person who typed it."""


@dataclass(frozen=True)
class TaxId:
    value: str  # with its prefix, as Stripe and the registries take it: "DE123456789"
    prefix: str  # "DE", "EL", "GB"
    country: str  # ISO: "DE", "GR", "GB"

    @property
    def number(self) -> str:
        """The part after the prefix (what VIES and HMRC look up)."""
        return self.value[len(self.prefix) :]

    @property
    def stripe_type(self) -> str:
        return "gb_vat" if self.prefix == "GB" else "eu_vat"


def checks_format(country: str) -> bool:
    """Whether VAT numbers of this (ISO) country have a known shape here."""
    return country.upper() in PREFIX_OF_COUNTRY


def _tidy(raw: str) -> str:
    if len(raw) > MAX_INPUT:
        raise TaxIdFormatError(f"A VAT number has at most {MAX_INPUT} characters; this one is longer.")
    # Full-width digits and letters become their plain forms; anything else outside ASCII is refused below.
    text = unicodedata.normalize("NFKC", raw)
    return _SEPARATORS.sub("", text).upper()


def normalise_vat_number(raw: str, *, country: str) -> TaxId:
    """`raw` as typed for a business in `country` (ISO code), tidied: spaces, dots and dashes gone, upper
    case, the country's prefix added when left off. Raises TaxIdFormatError with a message for the form when
    it cannot be a VAT number of that country (including a number of another country).

    Only countries with a known shape (EU and UK) can be asked about; see `checks_format`."""
    country = country.strip().upper()
    prefix = PREFIX_OF_COUNTRY.get(country)
    if prefix is None:
        raise TaxIdFormatError("VAT numbers are checked for EU and UK businesses only.")
    rule = RULES[prefix]
    value = _tidy(raw)
    if not value:
        raise TaxIdFormatError(f"Enter the VAT number. {rule.name} is {rule.shape}.")
    if not re.fullmatch(r"[A-Z0-9+*]+", value):
        raise TaxIdFormatError(
            f"{rule.name} has only the letters A to Z and the digits 0 to 9: {rule.shape}."
        )
    if country == "GR" and value.startswith("GR"):
        value = "EL" + value[2:]  # people write Greece's ISO code; VIES and Stripe use EL
    if value.startswith(prefix):
        body = value[len(prefix) :]
    elif re.fullmatch(rule.pattern, value):
        body = value  # typed without its prefix
    elif prefix == "GB" and value.startswith("XI"):
        raise TaxIdFormatError(
            "XI numbers are for Northern Ireland's trade in goods with the EU. Give the same number with GB in "
            f"front instead: GB{value[2:]}."
        )
    elif value[:2] in RULES:
        other = RULES[value[:2]]
        raise TaxIdFormatError(
            f"This looks like {other.name[0].lower()}{other.name[1:]} ({value[:2]}), but the billing country "
            f"is {country}. {rule.name} is {rule.shape}."
        )
    else:
        body = value
    if not re.fullmatch(rule.pattern, body):
        raise TaxIdFormatError(f"{rule.name} is {rule.shape}.")
    if rule.checksum and not rule.checksum(body):
        raise TaxIdFormatError(f"{rule.name} {prefix}{body} has a wrong check digit: please check it.")
    return TaxId(value=prefix + body, prefix=prefix, country=rule.country)


def parse_vat_number(value: str) -> TaxId | None:
    """A number that carries its own prefix (as Stripe records it: `DE123456789`), or None when it is not
    a well-formed EU or UK VAT number."""
    tidy = _SEPARATORS.sub("", value or "")[:MAX_INPUT].upper()
    rule = RULES.get(tidy[:2])
    if rule is None:
        return None
    try:
        return normalise_vat_number(tidy, country=rule.country)
    except TaxIdFormatError:
        return None


def normalise_tax_id(raw: str, *, country: str) -> str:
    """A buyer's tax ID for a business billed in `country`, as the forms take it: an EU or UK VAT number
    normalised (`normalise_vat_number`); for other countries the text on one line, unless it is plainly an
    EU or UK VAT number, which belongs with that country's address. Empty stays empty. Raises
    TaxIdFormatError with the message for the form."""
    if not raw.strip():
        return ""
    if checks_format(country):
        return normalise_vat_number(raw, country=country).value
    if len(raw) > MAX_INPUT:
        raise TaxIdFormatError(f"A tax ID has at most {MAX_INPUT} characters; this one is longer.")
    foreign = parse_vat_number(raw)
    if foreign is not None:
        rule = RULES[foreign.prefix]
        raise TaxIdFormatError(
            f"This looks like {rule.name[0].lower()}{rule.name[1:]}, but the billing country is "
            f"{country.strip().upper() or 'not given'}. Use {foreign.country} as the billing country, or give "
            "the tax ID of the country you are billed in."
        )
    return " ".join(raw.split())
