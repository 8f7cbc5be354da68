"""Addresses that read the same to a person but are different strings: `ıan@` with a dotless ı and `ian@`,
`Kevin@` with the Kelvin sign K, a domain with a Cyrillic letter (stored as its `xn--` punycode) and its
Latin twin. They stay different addresses (they may be different mailboxes); the pages that hand out access
name them side by side so a person checks before anyone gets a seat."""

import contextlib
import unicodedata
from collections.abc import Iterable

# Letters that NFKC and case folding leave alone but that render like a Latin letter: the Cyrillic and Greek
# ones found in real look-alike domains and names, and Latin letters without their dot or hook. A small fold
# of Unicode's confusables table, enough for addresses typed or pasted into a list; digits are left alone.
_FOLD = str.maketrans(
    {
        # Cyrillic
        "а": "a", "в": "b", "с": "c", "ԁ": "d", "е": "e", "ё": "e", "һ": "h", "і": "i", "ї": "i", "ј": "j",
        "к": "k", "ӏ": "l", "о": "o", "р": "p", "ԛ": "q", "г": "r", "ѕ": "s", "ѵ": "v", "ԝ": "w", "х": "x", "у": "y", "ү": "y",
        # Greek
        "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t",
        "υ": "u", "χ": "x", "γ": "y",
        # Latin without the dot or with a hook
        "ı": "i", "ȷ": "j", "ɡ": "g", "ɩ": "i", "ɑ": "a", "ʋ": "v",
    }
)  # fmt: skip


def skeleton(address: str) -> str:
    """What `address` looks like: the domain's punycode read as its letters, compatibility forms (full-width,
    the Kelvin sign, ligatures) and case folded, accents dropped, look-alike letters folded to Latin ones."""
    local, at, domain = address.rpartition("@")
    with contextlib.suppress(UnicodeError):  # not punycode (or not a valid one): compared as written
        domain = domain.encode("ascii").decode("idna")
    text = unicodedata.normalize("NFKC", f"{local}{at}{domain}").casefold()
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return text.translate(_FOLD)


def look_alike_groups(addresses: Iterable[str]) -> list[tuple[str, ...]]:
    """The groups of two or more different `addresses` that look alike, each in the order first given."""
    by_skeleton: dict[str, list[str]] = {}
    for address in addresses:
        group = by_skeleton.setdefault(skeleton(address), [])
        if address not in group:
            group.append(address)
    return [tuple(group) for group in by_skeleton.values() if len(group) > 1]
