"""Stripe Tax product tax codes: which codes a product may carry and the default for each kind.

Stripe Tax decides the rate from the code on each line (and the buyer's address), so a product sold with no
code, or a made-up one, would be taxed as whatever the account's default happens to be. The codes are from
Stripe's published tax-code list (docs.stripe.com/tax/tax-codes); staff may pick another of KNOWN.
"""

import re

ON_DEMAND_COURSE = "txcd_20060158"  # On-demand online courses, pre-recorded, streamed
COURSE_WITH_DOWNLOADS = "txcd_20060258"  # On-demand online courses, streamed and downloadable
SELF_STUDY_TRAINING = "txcd_20060058"  # Training services, self-study, web-based
DIGITAL_DOCUMENTS = "txcd_10503000"  # Digital documents, downloadable, permanent rights
ELECTRONIC_SERVICES = "txcd_10000000"  # General electronically supplied services

KNOWN = {
    ON_DEMAND_COURSE: "On-demand online course (streamed)",
    COURSE_WITH_DOWNLOADS: "On-demand online course (streamed and downloadable)",
    SELF_STUDY_TRAINING: "Self-study web-based training",
    DIGITAL_DOCUMENTS: "Downloadable digital documents",
    ELECTRONIC_SERVICES: "Electronically supplied services (general)",
}
CHOICES = list(KNOWN.items())
FORMAT = re.compile(r"^txcd_\d{8}$")

# A bundle is sold as one supply whose main part is the courses.
DEFAULTS = {"course": ON_DEMAND_COURSE, "kit": DIGITAL_DOCUMENTS, "bundle": ON_DEMAND_COURSE}


# What a page says next to a price, by settings.TAX_BEHAVIOR: every sentence about price reads from here.
PRICE_NOTES = {"exclusive": "plus VAT where it applies", "inclusive": "including VAT"}


def price_note(behavior: str) -> str:
    return PRICE_NOTES.get(behavior, PRICE_NOTES["exclusive"])


def default_for(kind: str) -> str:
    return DEFAULTS.get(kind, "")


def problem(code: str) -> str:
    """Why `code` cannot be sent to Stripe Tax, or "" when it can."""
    if not code:
        return "Choose a tax code: Stripe Tax needs one to charge the right VAT."
    if not FORMAT.fullmatch(code) or code not in KNOWN:
        return f"“{code}” is not one of the Stripe tax codes this shop uses; choose one from the list."
    return ""
