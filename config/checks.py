"""Launch checks on settings (tag "launch"): addresses still on the reserved example domains, an invoice
footer without the seller's address, and seller details (a payment request's page) left unset. Settings only: the apps register the checks on their own data.

All launch checks run only when the caller names the databases (`migrate`, `manage.py check --database
default`, the admin home), so CI's `check --deploy` on a clean clone, which has example addresses on purpose,
stays quiet. Call `manage.py check --database default --tag launch --fail-level WARNING` to gate a launch.
"""

from email.utils import parseaddr

from django.conf import settings
from django.core import checks

LAUNCH = "launch"
EMAIL_SETTINGS = (
    "DEFAULT_FROM_EMAIL",
    "SITE_CONTACT_EMAIL",
    "ORDER_REPLY_TO_EMAIL",
    "RECEIVABLES_EMAIL",
    "FINANCE_ALERT_EMAIL",
)
# Domains and top-level domains reserved for examples and tests (RFC 2606, RFC 6761): no one reads mail there.
EXAMPLE_DOMAINS = ("example.com", "example.net", "example.org")
EXAMPLE_TLDS = ("example", "test", "invalid", "localhost")


def is_example_address(value: str) -> bool:
    domain = parseaddr(value)[1].rpartition("@")[2].lower().rstrip(".")
    if not domain:
        return False
    return (
        any(domain == d or domain.endswith(f".{d}") for d in EXAMPLE_DOMAINS)
        or domain.rpartition(".")[2] in EXAMPLE_TLDS
    )


def example_addresses() -> list[checks.CheckMessage]:
    return [
        checks.Warning(
            f"{name} is {getattr(settings, name)!r}, an example address that no one reads.",
            hint=f"Set {name} in the environment to a real address (docs/operations.md “Which email addresses to set”).",
            id="site.W001",
        )
        for name in EMAIL_SETTINGS
        if is_example_address(getattr(settings, name, "") or "")
    ]


def has_postal_address(text: str) -> bool:
    # A postal address has a street number or a postcode; a text without a single digit has neither.
    return any(character.isdigit() for character in text)


def invoice_footer_without_address() -> list[checks.CheckMessage]:
    if has_postal_address(settings.INVOICE_FOOTER):
        return []
    return [
        checks.Warning(
            "INVOICE_FOOTER has no postal address: accounts payable teams ask for the seller's address and "
            "tax number on every invoice.",
            hint="Set INVOICE_FOOTER to the academy's legal name, postal address and tax or registration "
            "number.",
            id="site.W002",
        )
    ]


def seller_details_unset() -> list[checks.CheckMessage]:
    # The default is the academy's name alone: a payer choosing how to pay wants the address and number too.
    if has_postal_address(settings.SELLER_DETAILS):
        return []
    return [
        checks.Warning(
            "SELLER_DETAILS is not set (only a name, no postal address): the payer of a payment request sees "
            "it before choosing how to pay, and their accounts payable team asks who the seller is.",
            hint="Set SELLER_DETAILS to the academy's legal name, postal address and registration or tax "
            "number.",
            id="site.W003",
        )
    ]


@checks.register(LAUNCH)
def check_settings_ready(app_configs=None, databases=None, **kwargs) -> list[checks.CheckMessage]:
    if not databases:
        return []
    return example_addresses() + invoice_footer_without_address() + seller_details_unset()
