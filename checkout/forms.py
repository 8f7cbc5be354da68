from django import forms
from django.conf import settings
from django.utils.functional import lazy
from django.utils.text import format_lazy

from catalog.seats import MAX_SEATS, MIN_SEATS, seat_range_text
from checkout import consent
from checkout.stripe_limits import PO_NUMBER_MAX


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

    po_number = forms.CharField(
        label="PO number or cost centre (optional)",
        max_length=PO_NUMBER_MAX,
        required=False,
        strip=True,
        help_text=f"For an employer's accounts team: printed on your invoice (up to {PO_NUMBER_MAX} characters).",
        error_messages={
            "max_length": "A PO number or cost centre can be at most %(limit_value)d characters."
        },
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    digital_consent = forms.BooleanField(
        label=consent.TEXT,
        required=True,
        error_messages={"required": consent.REQUIRED_MESSAGE},
    )

    def clean_po_number(self) -> str:
        # One line on the invoice: internal runs of spaces collapse, line breaks never get there.
        return " ".join(self.cleaned_data["po_number"].split())

    def full_clean(self) -> None:
        super().full_clean()
        if "quantity" in self.errors:
            # The page opens on the field, and screen readers read its error before the hint.
            field = self["quantity"]
            self.fields["quantity"].widget.attrs.update(
                {"aria-describedby": f"{field.auto_id}_error {field.auto_id}_helptext", "autofocus": True}
            )
