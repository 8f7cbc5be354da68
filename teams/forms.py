from django import forms

from catalog.seats import MAX_SEATS, MIN_SEATS
from checkout import consent
from common.forms import NormalisedEmailField
from teams.seat_lists import MAX_SEAT_LIST_CHARS


class AssignSeatForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200)
    email = NormalisedEmailField(label="Email", max_length=254)
    # Ticked on the page that warns the person already holds the product from another of the buyer's orders.
    confirm_elsewhere = forms.BooleanField(required=False)


class SeatListForm(forms.Form):
    """The pasted list (or a CSV file) for the preview; the same list, confirmed, for assigning."""

    line = forms.IntegerField(min_value=1)
    people = forms.CharField(
        label="People to give seats to, one a line",
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=MAX_SEAT_LIST_CHARS,
        required=False,
        strip=False,
    )
    include_elsewhere = forms.BooleanField(required=False)
    digest = forms.CharField(max_length=64, required=False)


class AddSeatsForm(forms.Form):
    """How many more seats of one of the order's lines to buy. The price, product and the team's limit come
    from the catalogue and the order (checkout.added_seats), never from this form."""

    line = forms.IntegerField(min_value=1, error_messages={"invalid": "Choose which seats to add."})
    quantity = forms.IntegerField(
        label="How many more seats",
        min_value=MIN_SEATS,
        max_value=MAX_SEATS,
        error_messages={
            "required": "Enter how many seats to add.",
            "invalid": "Enter how many seats to add as a whole number, such as 3.",
            "min_value": f"Add at least {MIN_SEATS} seat.",
            "max_value": f"You can add at most {MAX_SEATS} seats in one purchase.",
        },
    )
    # The EU digital-content consent, in the words for seats that are colleagues' (checkout.consent).
    digital_consent = forms.BooleanField(
        label=consent.FOR_OTHERS_TEXT, error_messages={"required": consent.FOR_OTHERS_REQUIRED_MESSAGE}
    )
