"""The "My company pays" form on the review page: the seats, as on the buy form, and who pays."""

from django import forms

from checkout.forms import BuyForm
from checkout.stripe_limits import COMPANY_NAME_MAX, TAX_ID_MAX
from common.forms import NormalisedEmailField
from common.text import normalise_email
from tax.formats import TaxIdFormatError, normalise_tax_id

NAME_MAX = 200
NOTE_MAX = 1000


def _at_most(what: str) -> dict[str, str]:
    """The message beyond a field's length, naming the field (the form shows several)."""
    return {"max_length": f"{what} can be at most %(limit_value)d characters (this one has %(show_value)d)."}


class PaymentRequestForm(BuyForm):
    """ "My company pays": the same seats (and PO number) as a card purchase, plus who pays and for whom.
    Nothing here touches the price: the order is made by the same service from the catalogue."""

    # Shown on the review page beside the BuyForm: its names and ids must differ from that form's.
    PREFIX = "request"
    # A company buying on invoice is a business, outside the consumer withdrawal right the consent is about.
    digital_consent = None

    buyer_name = forms.CharField(label="Your name", max_length=NAME_MAX, error_messages=_at_most("Your name"))
    buyer_email = forms.EmailField(label="Your email", help_text="Access and the confirmation come here.")
    payer_name = forms.CharField(
        label="Payer's name",
        max_length=NAME_MAX,
        help_text="Your manager or accounts payable.",
        error_messages=_at_most("The payer's name"),
    )
    payer_email = forms.EmailField(label="Payer's email")
    ap_email = forms.EmailField(
        label="Accounts payable email (optional)",
        required=False,
        help_text="Copied on the request and invoice.",
    )
    # On the invoice as the Stripe customer's name; the tax ID as the customer's or in a custom field.
    company_name = forms.CharField(
        label="Company name", max_length=COMPANY_NAME_MAX, error_messages=_at_most("The company name")
    )
    tax_id = forms.CharField(
        label="Tax ID (optional)", max_length=TAX_ID_MAX, required=False, error_messages=_at_most("A tax ID")
    )
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
        max_length=NOTE_MAX,
        error_messages=_at_most("The note"),
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

    def clean_note(self) -> str:
        return self.cleaned_data["note"].replace("\x00", "").strip()

    def clean(self) -> dict:
        data = super().clean()
        for name in ("buyer_name", "payer_name", "company_name"):
            if data.get(name):
                data[name] = " ".join(data[name].split())
        clean_tax_id_for_country(self, data)
        return data


def _one_line(value: str) -> str:
    return " ".join(value.split())


def clean_tax_id_for_country(form: forms.Form, data: dict) -> None:
    """The tax ID checked against the billing country's format (tax.formats): a VAT number that cannot be
    one of that country's gets its message on the field, and the form does not validate."""
    if "tax_id" not in data or "billing_country" not in data:
        return
    try:
        data["tax_id"] = normalise_tax_id(data["tax_id"], country=data["billing_country"])
    except TaxIdFormatError as exc:
        form.add_error("tax_id", str(exc))


class PayerDetailsForm(forms.Form):
    """What accounts payable confirm or correct on the payer's page before the invoice is made: who is
    billed, where, their tax ID and PO number. Lengths stay within what Stripe takes (a customer's name up
    to 256 characters, an invoice custom field's value up to 140)."""

    company_name = forms.CharField(label="Company name", max_length=200)
    address_line1 = forms.CharField(label="Street address", max_length=200)
    address_line2 = forms.CharField(label="Address line 2 (optional)", max_length=200, required=False)
    city = forms.CharField(label="City", max_length=100)
    postal_code = forms.CharField(label="Postcode or ZIP (optional)", max_length=20, required=False)
    region = forms.CharField(label="State, county or region (optional)", max_length=100, required=False)
    billing_country = PaymentRequestForm.base_fields["billing_country"]
    tax_id = forms.CharField(label="Tax ID (optional)", max_length=60, required=False)
    po_number = forms.CharField(
        label="PO number (optional)",
        max_length=140,
        required=False,
        help_text="Printed on the invoice.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    FIELDS = (
        "company_name",
        "address_line1",
        "address_line2",
        "city",
        "postal_code",
        "region",
        "billing_country",
        "tax_id",
        "po_number",
    )

    clean_billing_country = PaymentRequestForm.clean_billing_country

    def clean(self) -> dict:
        data = super().clean()
        for name in self.FIELDS:
            if isinstance(data.get(name), str) and name != "billing_country":
                data[name] = _one_line(data[name])
        for name in ("company_name", "address_line1", "city"):
            if name in data and not data[name]:
                self.add_error(name, "This field is required.")
        clean_tax_id_for_country(self, data)
        return data


class DeclineForm(forms.Form):
    """The payer declines the request; the buyer is told their reason by email."""

    reason = forms.CharField(
        label="Why you are declining",
        max_length=500,
        help_text="We send this to the person who asked, so they know what to do next.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_reason(self) -> str:
        return self.cleaned_data["reason"].replace("\x00", "").strip()


class FreshStatusLinkForm(forms.Form):
    """On the page an expired status link opens: the address the request was sent from, to email a fresh
    link to (only if it is the buyer's)."""

    email = NormalisedEmailField(
        label="Your email address",
        max_length=254,
        help_text="The address you sent the payment request from.",
        error_messages={"required": "Enter the email address you sent the request from."},
    )
