"""Which invoice of an order a correction applies to, and what its header says now: the invoice of the
latest correction issued, else the payment request's invoice, else the invoice Stripe made after Checkout.
What a correction may change, and how it is made (`plan`), is decided here from our records only: a request
makes no call to Stripe (the task checks Stripe's own figures again before acting)."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from checkout.models import Order
from corrections.models import HEADER_FIELDS, InvoiceCorrection
from credit_notes.models import CreditNote
from invoicing.models import PaymentRequest
from tax.formats import EU_COUNTRIES

Kind = InvoiceCorrection.Kind
# Countries whose VAT numbers a registry checks here, and where a VAT number turns VAT into the reverse charge.
VAT_COUNTRIES = EU_COUNTRIES | {"GB"}


class CorrectionRefused(Exception):
    """The correction cannot be made; the message says why, for the person who asked."""


@dataclass
class Target:
    order: Order
    request: PaymentRequest | None
    invoice_id: str
    invoice_number: str
    paid: bool
    void: bool
    country: str
    header: dict[str, str]
    currency: str


def _request_header(request: PaymentRequest) -> dict[str, str]:
    return {name: getattr(request, name) for name in HEADER_FIELDS}


def target_for(order: Order) -> Target | None:
    """The order's invoice a correction applies to now; None when the order has no invoice. A voided
    request's invoice is returned (as void) only when the order has no other."""
    currency = order.currency.upper()
    last = (
        order.invoice_corrections.filter(state=InvoiceCorrection.State.ISSUED)
        .exclude(kind=Kind.REISSUE)
        .first()
    )
    if last is not None:  # the paid invoice that replaced the original
        return Target(
            order=order,
            request=last.payment_request,
            invoice_id=last.new_invoice_id,
            invoice_number=last.new_invoice_number,
            paid=True,
            void=False,
            country=last.country,
            header=last.header(),
            currency=currency,
        )
    requests = order.payment_requests.exclude(stripe_invoice_id=None)
    request = requests.filter(state__in=[PaymentRequest.State.ISSUED, PaymentRequest.State.PAID]).first()
    if request is None and not (order.invoice_id.startswith("in_") and order.money_received):
        request = requests.filter(state=PaymentRequest.State.CANCELLED).first()
    if request is not None:
        return Target(
            order=order,
            request=request,
            invoice_id=request.stripe_invoice_id,
            invoice_number=request.invoice_number,
            paid=request.state == PaymentRequest.State.PAID,
            void=request.state == PaymentRequest.State.CANCELLED
            or request.invoice_status in ("void", "uncollectible"),
            country=request.billing_country,
            header=_request_header(request),
            currency=currency,
        )
    if order.invoice_id.startswith("in_") and order.money_received:  # the invoice Stripe made after Checkout
        header = dict.fromkeys(HEADER_FIELDS, "")
        header.update(company_name=order.company_name, tax_id=order.vat_numbers, po_number=order.po_number)
        return Target(
            order=order,
            request=None,
            invoice_id=order.invoice_id,
            invoice_number=order.invoice_number,
            paid=True,
            void=False,
            country=order.billing_country,
            header=header,
            currency=currency,
        )
    return None


@dataclass(frozen=True)
class Plan:
    kind: str
    changed: dict[str, tuple[str, str]]  # field: (before, after)
    check_vat: bool  # a new VAT number the registry must confirm before anything is issued
    adds_vat: bool  # the VAT charged goes: the new invoice is reverse-charged


def _is_open(order: Order) -> bool:
    return order.invoice_corrections.filter(state__in=InvoiceCorrection.IN_PROGRESS).exists()


def plan(target: Target, after: dict[str, str], *, now: dt.datetime | None = None) -> Plan:
    """How the correction of `target` to the header `after` is made; raises CorrectionRefused."""
    order = target.order
    if target.void:
        raise CorrectionRefused(
            f"Invoice {target.invoice_number or target.invoice_id} was voided: there is nothing left to correct."
        )
    if _is_open(order):
        raise CorrectionRefused(
            "A correction of this invoice is being issued now. Wait until it is done, then correct it again."
        )
    changed = {n: (target.header[n], after[n]) for n in HEADER_FIELDS if target.header[n] != after[n]}
    if not changed:
        raise CorrectionRefused("Nothing is different from the invoice as issued.")
    if after["tax_id"] and not after["company_name"]:
        raise CorrectionRefused("An invoice with a VAT number needs the company's name.")
    credited = CreditNote.objects.filter(
        stripe_invoice_id=target.invoice_id, status=CreditNote.Status.ISSUED
    ).exists()
    if target.paid and credited:
        raise CorrectionRefused(
            "This invoice already has a credit note (a refund), so it can no longer be corrected here. "
            f"Write to {settings.RECEIVABLES_EMAIL} and the academy will correct it."
        )
    vat_country = target.country in VAT_COUNTRIES
    new_number = "tax_id" in changed and bool(after["tax_id"]) and vat_country
    adds_vat = new_number and not target.header["tax_id"] and order.tax_cents > 0
    if "tax_id" in changed and not after["tax_id"] and vat_country and not order.tax_cents:
        raise CorrectionRefused(
            "Without the VAT number the invoice would have to charge VAT, which changes its amount. "
            f"Write to {settings.RECEIVABLES_EMAIL} about it."
        )
    if adds_vat and order.tax_behavior == "inclusive":
        raise CorrectionRefused(
            f"The prices of this order included VAT, so it cannot be reverse-charged here. Write to "
            f"{settings.RECEIVABLES_EMAIL} about it."
        )
    if adds_vat and not target.paid:
        raise CorrectionRefused(
            "Adding a VAT number to an invoice not paid yet changes what is due. Pay it as issued and add "
            f"the number afterwards (the VAT is then refunded), or write to {settings.RECEIVABLES_EMAIL}."
        )
    if adds_vat:
        paid_at = order.paid_at or order.created_at
        days = settings.VAT_ID_CORRECTION_DAYS
        if (now or timezone.now()) - paid_at > dt.timedelta(days=days):
            raise CorrectionRefused(
                f"A VAT number can be added within {days} days of payment; this order was paid on "
                f"{paid_at:%-d %B %Y}. Write to {settings.RECEIVABLES_EMAIL} about it."
            )
    kind = Kind.REISSUE if not target.paid else Kind.VAT if adds_vat else Kind.REPLACE
    return Plan(kind=kind, changed=changed, check_vat=new_number, adds_vat=adds_vat)
