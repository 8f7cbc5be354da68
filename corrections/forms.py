from django import forms

from checkout.stripe_limits import COMPANY_NAME_MAX, PO_NUMBER_MAX, TAX_ID_MAX
from corrections.models import HEADER_FIELDS

# The names the page shows for an invoice's country (the code when a country is not listed here).
COUNTRY_NAMES = {
    "AT": "Austria", "BE": "Belgium", "BG": "Bulgaria", "HR": "Croatia", "CY": "Cyprus", "CZ": "Czechia",
    "DK": "Denmark", "EE": "Estonia", "FI": "Finland", "FR": "France", "DE": "Germany", "GR": "Greece",
    "HU": "Hungary", "IE": "Ireland", "IT": "Italy", "LV": "Latvia", "LT": "Lithuania", "LU": "Luxembourg",
    "MT": "Malta", "NL": "Netherlands", "PL": "Poland", "PT": "Portugal", "RO": "Romania", "SK": "Slovakia",
    "SI": "Slovenia", "ES": "Spain", "SE": "Sweden", "GB": "United Kingdom", "US": "United States",
    "CA": "Canada", "AU": "Australia", "NZ": "New Zealand", "CH": "Switzerland", "NO": "Norway",
    "IS": "Iceland", "LI": "Liechtenstein", "JP": "Japan", "SG": "Singapore", "IN": "India", "BR": "Brazil",
    "MX": "Mexico", "ZA": "South Africa", "AE": "United Arab Emirates", "IL": "Israel", "KR": "South Korea",
}  # fmt: skip


def country_name(code: str) -> str:
    return COUNTRY_NAMES.get((code or "").upper(), code or "—")


class CorrectionForm(forms.Form):
    """What an invoice's header may say differently: never its amounts, lines, currency or country."""

    company_name = forms.CharField(
        max_length=COMPANY_NAME_MAX,
        required=False,
        label="Company name",
        help_text="Leave empty if you bought as a private person. Needed with a VAT number.",
    )
    address_line1 = forms.CharField(max_length=200, required=False, label="Street address")
    address_line2 = forms.CharField(max_length=200, required=False, label="Address line 2")
    city = forms.CharField(max_length=100, required=False, label="City")
    postal_code = forms.CharField(max_length=20, required=False, label="Postal code")
    region = forms.CharField(max_length=100, required=False, label="State, county or region")
    tax_id = forms.CharField(
        max_length=TAX_ID_MAX,
        required=False,
        label="VAT number",
        help_text="With the country prefix, for example DE123456789. It is checked with the VAT registry.",
    )
    po_number = forms.CharField(
        max_length=PO_NUMBER_MAX,
        required=False,
        label="PO number",
        help_text="Your purchase order number, if accounts payable needs it on the invoice.",
    )

    FIELDS = HEADER_FIELDS

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("tax_id") or "").strip() and not (cleaned.get("company_name") or "").strip():
            self.add_error("company_name", "An invoice with a VAT number needs the company's name.")
        return cleaned
