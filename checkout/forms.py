from django import forms
from django.conf import settings
from django.utils.functional import lazy
from django.utils.text import format_lazy

from catalog.seats import MAX_SEATS, MIN_SEATS, seat_range_text
from common.text import normalise_email


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
        max_length=140,
        required=False,
        strip=True,
        help_text="For an employer's accounts team: printed on your invoice.",
        error_messages={
            "max_length": "A PO number or cost centre can be at most %(limit_value)d characters."
        },
        widget=forms.TextInput(attrs={"autocomplete": "off", "maxlength": 140}),
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


class PaymentRequestForm(BuyForm):
    """ "My company pays": the same seats (and PO number) as a card purchase, plus who pays and for whom.
    Nothing here touches the price: the order is made by the same service from the catalogue."""

    # Shown on the review page beside the BuyForm: its names and ids must differ from that form's.
    PREFIX = "request"

    buyer_name = forms.CharField(label="Your name", max_length=200)
    buyer_email = forms.EmailField(label="Your email", help_text="Access and the confirmation come here.")
    payer_name = forms.CharField(
        label="Payer's name", max_length=200, help_text="Your manager or accounts payable."
    )
    payer_email = forms.EmailField(label="Payer's email")
    ap_email = forms.EmailField(
        label="Accounts payable email (optional)",
        required=False,
        help_text="Copied on the request and invoice.",
    )
    company_name = forms.CharField(label="Company name", max_length=200)
    tax_id = forms.CharField(label="Tax ID (optional)", max_length=60, required=False)
    billing_country = forms.CharField(
        label="Billing country",
        min_length=2,
        max_length=2,
        help_text="Two-letter code, such as US, GB or DE.",
        error_messages={
            "min_length": "Give the country's two-letter code, such as US, GB or DE.",
            "max_length": "Give the country's two-letter code, such as US, GB or DE.",
        },
    )
    note = forms.CharField(
        label="Note to the payer (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def _address(self, name: str) -> str:
        value = normalise_email(self.cleaned_data.get(name, ""))
        if self.cleaned_data.get(name) and not value:
            raise forms.ValidationError("Enter an email address that can receive mail.")
        return value

    def clean_buyer_email(self) -> str:
        return self._address("buyer_email")

    def clean_payer_email(self) -> str:
        return self._address("payer_email")

    def clean_ap_email(self) -> str:
        return self._address("ap_email")

    def clean_billing_country(self) -> str:
        value = self.cleaned_data["billing_country"].strip().upper()
        if not (len(value) == 2 and value.isascii() and value.isalpha()):
            raise forms.ValidationError("Give the country's two-letter code, such as US, GB or DE.")
        return value

    def clean_tax_id(self) -> str:
        return " ".join(self.cleaned_data["tax_id"].split())

    def clean_note(self) -> str:
        return self.cleaned_data["note"].replace("\x00", "").strip()

    def clean(self) -> dict:
        data = super().clean()
        for name in ("buyer_name", "payer_name", "company_name"):
            if data.get(name):
                data[name] = " ".join(data[name].split())
        return data
