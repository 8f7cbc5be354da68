"""The lengths Stripe accepts for the values we send it that come from a buyer or a payer: one place for
each rule, read by the forms (with a message beyond it), the models and the code that builds the requests.

From Stripe's API reference: an invoice custom field's name is at most 40 characters and its value at most
140 (the PO number and a tax ID that Stripe will not take as the customer's are sent as one); a metadata key
at most 40 and a value at most 500; a customer's email at most 512. A customer's name (the payer's company)
is at most 256; we keep it to 200, what the company name field has always held.
"""

CUSTOM_FIELD_NAME_MAX = 40
CUSTOM_FIELD_VALUE_MAX = 140
METADATA_KEY_MAX = 40
METADATA_VALUE_MAX = 500
CUSTOMER_NAME_MAX = 256
CUSTOMER_EMAIL_MAX = 512

# Printed on the invoice as a custom field, whether Stripe Checkout or a payment request makes it.
PO_NUMBER_MAX = CUSTOM_FIELD_VALUE_MAX
# The payer's company is the Stripe customer's name.
COMPANY_NAME_MAX = 200
# Sent as the customer's tax ID, or as an invoice custom field when Stripe cannot read it as one.
TAX_ID_MAX = 60

assert COMPANY_NAME_MAX <= CUSTOMER_NAME_MAX and TAX_ID_MAX <= CUSTOM_FIELD_VALUE_MAX


def invoice_custom_field(name: str, value: str) -> dict[str, str]:
    """One custom field of an invoice. The forms keep every value within Stripe's limits; a longer one here is
    a bug to hear about, not a value to cut short on the invoice a payer's accounts team reads."""
    if len(name) > CUSTOM_FIELD_NAME_MAX or len(value) > CUSTOM_FIELD_VALUE_MAX:
        raise ValueError(f"invoice custom field {name!r} is longer than Stripe accepts")
    return {"name": name, "value": value}
