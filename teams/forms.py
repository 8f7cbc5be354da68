from django import forms

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
