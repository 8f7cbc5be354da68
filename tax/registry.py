"""Asking a tax registry whether a VAT number is registered, behind one small interface:
`check(country, number) -> RegistryAnswer`. TAX_ID_REGISTRY chooses who answers:

- `live`: the EU's VIES for EU numbers (tax.vies), HMRC for UK numbers (tax.hmrc);
- `fake`: a stand-in for tests and `make run` that answers from the number itself (below);
- `off`: nobody is asked; every answer is "not checked".

A registry that is down, busy or slow gives `valid=None` with `retry_later`: never valid, never invalid.
"""

from django.conf import settings
from django.utils import timezone

from tax import hmrc, vies
from tax.answers import RegistryAnswer, RegistryUnavailable
from tax.formats import TaxId, TaxIdFormatError, normalise_vat_number

MODES = ("live", "fake", "off")


def fake_check(tax_id: TaxId) -> RegistryAnswer:
    """The stand-in registry: a number ending in 000 is not registered, one ending in 999 finds the
    registry down, and every other well-formed number is registered to "Example Trading Ltd"."""
    if tax_id.value.endswith("999"):
        return RegistryAnswer(
            valid=None, error="The fake registry is down for this number.", retry_later=True
        )
    now = timezone.now()
    if tax_id.value.endswith("000"):
        return RegistryAnswer(valid=False, consulted_at=now, error="The fake registry has no such number.")
    return RegistryAnswer(
        valid=True,
        name="Example Trading Ltd",
        address="1 Example Street, Example City",
        consulted_at=now,
        reference=f"FAKE-{tax_id.value}",
    )


def check(country: str, number: str) -> RegistryAnswer:
    """What the registry says of `number`, a VAT number of the ISO `country`. Never raises for the
    registry's sake: a malformed number is invalid, an unreachable registry is "not checked"."""
    try:
        tax_id = normalise_vat_number(number, country=country)
    except TaxIdFormatError as exc:
        return RegistryAnswer(valid=False, consulted_at=timezone.now(), error=str(exc))
    mode = settings.TAX_ID_REGISTRY
    if mode == "off":
        return RegistryAnswer(valid=None, error="Tax ID checks are turned off (TAX_ID_REGISTRY=off).")
    if mode == "fake":
        return fake_check(tax_id)
    client = hmrc if tax_id.prefix == "GB" else vies
    try:
        return client.check(tax_id)
    except RegistryUnavailable as exc:
        return RegistryAnswer(valid=None, error=f"Could not check: {exc}.", retry_later=True)
