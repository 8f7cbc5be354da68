"""Launch checks of "My company pays" (tag "launch", see config.checks): the seller's details the payer's
page shows before anyone chooses to pay. Settings only, so like config.checks they run only when the caller
names the databases (`manage.py check --database default`, the admin home's "Needs attention" list)."""

from django.conf import settings
from django.core import checks

LAUNCH = "launch"
# What SELLER_DETAILS is when the environment does not set it: a name, no address or registration.
UNSET_SELLER_DETAILS = "Creative Project Management Academy"


def seller_details_unset() -> list[checks.CheckMessage]:
    if settings.SELLER_DETAILS.strip() not in ("", UNSET_SELLER_DETAILS):
        return []
    return [
        checks.Warning(
            "SELLER_DETAILS is not set: the payer's page of a payment request names the seller without an "
            "address, registration or tax number, which accounts payable need before they pay.",
            hint="Set SELLER_DETAILS to the academy's legal name, postal address and registration or tax "
            "number (docs/operations.md).",
            id="invoicing.W001",
        )
    ]


@checks.register(LAUNCH)
def check_payment_requests_ready(app_configs=None, databases=None, **kwargs) -> list[checks.CheckMessage]:
    if not databases:
        return []
    return seller_details_unset()
