from django import forms
from django.conf import settings
from django.utils.functional import lazy
from django.utils.text import format_lazy

from checkout.services import MAX_SEATS, MIN_SEATS


class BuyForm(forms.Form):
    """What the browser may tell us: which product and how many seats. Price, currency and name come
    from the catalogue, never from the request."""

    product = forms.SlugField(max_length=120, widget=forms.HiddenInput)
    quantity = forms.IntegerField(
        label="Seats",
        min_value=MIN_SEATS,
        max_value=MAX_SEATS,
        initial=1,
        error_messages={
            "required": f"Choose how many seats you need, from {MIN_SEATS} to {MAX_SEATS}.",
            "invalid": f"Seats must be a whole number from {MIN_SEATS} to {MAX_SEATS}.",
            "min_value": f"Seats must be at least {MIN_SEATS}.",
            # Lazy, so the address is read from settings when the message is shown.
            "max_value": format_lazy(
                "You can buy up to {} seats in one order. For more, email the academy at {} with the "
                "product and the number of seats, and it will set up the order with you.",
                MAX_SEATS,
                lazy(lambda: settings.SITE_CONTACT_EMAIL, str)(),
            ),
        },
        widget=forms.NumberInput(
            attrs={"min": MIN_SEATS, "max": MAX_SEATS, "step": 1, "inputmode": "numeric"}
        ),
    )


def seats_from_query(value: str | None) -> int:
    """The review page's starting seat count from `?quantity=N`; anything out of range falls back to 1."""
    try:
        seats = int(value or MIN_SEATS)
    except ValueError:
        return MIN_SEATS
    return seats if MIN_SEATS <= seats <= MAX_SEATS else MIN_SEATS
