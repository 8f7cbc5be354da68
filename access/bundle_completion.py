"""Buying the Bundle at its completion price (access.credit): the credit is claimed under row locks in the
same transaction that creates the order, so two tabs or two clicks can never spend it twice, and an expired
or failed order gives it back."""

from django.db import transaction
from django.utils import timezone

from access.credit import bundle_offer
from access.models import CreditClaim, Grant
from catalog.models import Product
from catalog.pricing import currency_for
from checkout import services as checkout
from checkout.models import Order
from common.text import normalise_email


class NoOffer(Exception):
    """There is nothing to complete at a lower price for this buyer now; the message says why."""


def start_bundle_completion(
    *, email: str, bundle: Product, visitor: str = "", currency: str = "", digital_consent: bool = False
) -> checkout.StartedCheckout:
    """Create (or find again) the buyer's one-seat Bundle order at the credited price in `currency`
    (default: the Bundle's own) and its Checkout Session. The price is recomputed here from the data, never
    taken from the browser; the order is in the offer's currency. `digital_consent`: the buyer ticked the
    digital-content consent (checkout.consent), stored on the new order."""
    currency = currency_for(bundle, currency)
    with transaction.atomic():
        # The buyer's grants to the Bundle's parts, locked: a second tab waits here for the first.
        list(
            Grant.objects.select_for_update().filter(
                holder_email=normalise_email(email),
                state=Grant.State.ACTIVE,
                product__in=bundle.components.all(),
            )
        )
        offer = bundle_offer(email=email, bundle=bundle, currency=currency)
        if offer is None:
            raise NoOffer(
                f"There is no lower price for completing {bundle.name} in {currency} on this account now."
            )
        credited = [item.grant_id for item in offer.owned if item.credit_cents]
        live = CreditClaim.objects.filter(grant_id__in=credited, released_at__isnull=True).select_related(
            "order"
        )
        for claim in live:
            if claim.order.status == Order.Status.PENDING and claim.order.checkout_url:
                # The same credit is already in an open checkout (another tab): go back to that one.
                return checkout.open_checkout_session(claim.order)
            raise NoOffer(
                f"Your credit is already used by order {claim.order.reference}; it comes back if that "
                "checkout expires."
            )
        order = checkout.create_adjusted_order(
            product=bundle,
            adjustment=offer.adjustment(),
            email=email,
            visitor=visitor,
            currency=currency,
            digital_consent=digital_consent,
        )
        CreditClaim.objects.bulk_create(CreditClaim(grant_id=grant_id, order=order) for grant_id in credited)
    try:
        return checkout.open_checkout_session(order)
    except checkout.CheckoutUnavailable:
        release_bundle_credit(order.pk)
        raise


def release_bundle_credit(order_id: int) -> str:
    """Give back the credit an order held (it expired, failed, or never reached Stripe)."""
    released = CreditClaim.objects.filter(order_id=order_id, released_at__isnull=True).update(
        released_at=timezone.now()
    )
    return f"released {released}"
