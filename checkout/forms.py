from django import forms

from catalog.seats import MAX_SEATS, MIN_SEATS, seat_range_text


class BuyForm(forms.Form):
    """The one thing the browser may tell us about an order: how many seats. The product comes from the URL
    or the POST's `product` slug, looked up in the catalogue; price, currency and name never come from the
    request."""

    quantity = forms.IntegerField(
        label="Seats",
        min_value=MIN_SEATS,
        max_value=MAX_SEATS,
        initial=MIN_SEATS,
        help_text=f"One seat per person, {seat_range_text()}. Teams buy all their seats in one order.",
        error_messages={
            "required": f"Choose how many seats you need, {seat_range_text()}.",
            "invalid": f"Seats must be a whole number {seat_range_text()}.",
            "min_value": f"Seats must be at least {MIN_SEATS}.",
            "max_value": f"One order holds up to {MAX_SEATS} seats; for more, contact the academy.",
        },
        widget=forms.NumberInput(
            attrs={"min": MIN_SEATS, "max": MAX_SEATS, "step": 1, "inputmode": "numeric"}
        ),
    )

    def full_clean(self) -> None:
        super().full_clean()
        if "quantity" in self.errors:
            # The page opens on the field, and screen readers read its error before the hint.
            field = self["quantity"]
            self.fields["quantity"].widget.attrs.update(
                {"aria-describedby": f"{field.auto_id}_error {field.auto_id}_helptext", "autofocus": True}
            )
