"""VAT number shapes per country, normalisation, and input meant to break them."""

import pytest

from tax.formats import TaxIdFormatError, normalise_tax_id, normalise_vat_number, parse_vat_number

VALID = [
    ("AT", "ATU13585627", "ATU13585627"),
    ("BE", "0477.472.701", "BE0477472701"),
    ("BG", "BG123456789", "BG123456789"),
    ("CY", "cy10259033p", "CY10259033P"),
    ("CZ", "CZ12345678", "CZ12345678"),
    ("DE", "de 136-695-976", "DE136695976"),
    ("DK", "DK13585628", "DK13585628"),
    ("EE", "EE100931558", "EE100931558"),
    ("GR", "GR094014201", "EL094014201"),
    ("GR", "EL094014201", "EL094014201"),
    ("ES", "ESB12345678", "ESB12345678"),
    ("ES", "ES12345678Z", "ES12345678Z"),
    ("FI", "FI20774740", "FI20774740"),
    ("FR", "FR 40 303 265 045", "FR40303265045"),
    ("FR", "FRK7399859412", "FRK7399859412"),
    ("HR", "HR33392005961", "HR33392005961"),
    ("HU", "HU12892312", "HU12892312"),
    ("IE", "IE6388047V", "IE6388047V"),
    ("IE", "IE3628739UA", "IE3628739UA"),
    ("IT", "IT00743110157", "IT00743110157"),
    ("LT", "LT119511515", "LT119511515"),
    ("LU", "LU15027442", "LU15027442"),
    ("LV", "LV40003521600", "LV40003521600"),
    ("MT", "MT11679112", "MT11679112"),
    ("NL", "NL004495445B01", "NL004495445B01"),
    ("PL", "PL 526-000-12-46", "PL5260001246"),
    ("PT", "PT501964843", "PT501964843"),
    ("RO", "RO18547290", "RO18547290"),
    ("SE", "SE556188840401", "SE556188840401"),
    ("SI", "SI50223054", "SI50223054"),
    ("SK", "SK2022749619", "SK2022749619"),
    ("GB", "GB 123 4567 89", "GB123456789"),
    ("GB", "123456789012", "GB123456789012"),
    ("GB", "gbgd001", "GBGD001"),
    ("GB", "GBHA599", "GBHA599"),
]


@pytest.mark.parametrize(("country", "typed", "normalised"), VALID)
def test_well_formed_numbers_are_normalised_with_their_prefix(country, typed, normalised):
    assert normalise_vat_number(typed, country=country).value == normalised


@pytest.mark.parametrize(
    ("country", "typed", "message"),
    [
        ("DE", "DE12345678", "A German VAT number is DE followed by 9 digits."),
        ("DE", "DE1234567890", "A German VAT number is DE followed by 9 digits."),
        ("FR", "FR123456789", "A French VAT number is FR followed by 2 digits or letters and 9 digits."),
        ("NL", "NL004495445C01", "A Dutch VAT number is NL followed by 9 digits, the letter B and 2 digits."),
        ("AT", "AT13585627", "An Austrian VAT number is ATU followed by 8 digits."),
        ("SE", "SE556188840402", "A Swedish VAT number is SE followed by 12 digits, ending in 01."),
        ("GB", "GB12345678", "A UK VAT number is GB followed by 9 or 12 digits"),
        ("GB", "GBGD500", "A UK VAT number is GB followed by 9 or 12 digits"),
        ("GB", "GBHA499", "A UK VAT number is GB followed by 9 or 12 digits"),
    ],
)
def test_a_number_of_the_wrong_shape_says_what_the_shape_is(country, typed, message):
    with pytest.raises(TaxIdFormatError) as error:
        normalise_vat_number(typed, country=country)

    assert str(error.value).startswith(message)


@pytest.mark.parametrize(
    ("country", "typed"),
    [("BE", "BE0477472702"), ("IT", "IT00743110158"), ("PL", "PL5260001247"), ("FR", "FR41303265045")],
)
def test_a_wrong_check_digit_is_refused(country, typed):
    with pytest.raises(TaxIdFormatError, match="wrong check digit"):
        normalise_vat_number(typed, country=country)


def test_another_countrys_number_names_both_countries():
    with pytest.raises(TaxIdFormatError) as error:
        normalise_vat_number("FR40303265045", country="DE")

    assert "French VAT number (FR)" in str(error.value)
    assert "A German VAT number is DE followed by 9 digits." in str(error.value)


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "DE" + "1" * 5000,
        "DЕ136695976",  # a Cyrillic Е
        "DE136695976\x00",
        "DE１３６６９５９７６x",
        "DE136695976<script>",
        "DE13669597６💥",
        "DE 136 695 976; DROP TABLE",
    ],
)
def test_hostile_input_is_refused_with_a_message(typed):
    with pytest.raises(TaxIdFormatError) as error:
        normalise_vat_number(typed, country="DE")

    assert "German VAT number" in str(error.value) or "at most 60 characters" in str(error.value)


def test_full_width_digits_count_as_digits():
    assert normalise_vat_number("ＤＥ１３６６９５９７６", country="DE").value == "DE136695976"


def test_countries_without_a_known_shape_are_not_vat_checked():
    with pytest.raises(TaxIdFormatError):
        normalise_vat_number("12-3456789", country="US")


def test_other_countries_tax_ids_pass_on_one_line():
    assert normalise_tax_id("  12-3456789 ", country="US") == "12-3456789"
    assert normalise_tax_id("", country="DE") == ""


def test_an_eu_vat_number_with_a_us_billing_country_is_refused():
    with pytest.raises(TaxIdFormatError, match=r"German VAT number, but the billing country is US\. Use DE"):
        normalise_tax_id("DE136695976", country="US")


def test_a_long_foreign_tax_id_is_refused():
    with pytest.raises(TaxIdFormatError, match="at most 60"):
        normalise_tax_id("1" * 61, country="US")


def test_stripes_recorded_values_are_parsed_with_their_country_and_type():
    greek = parse_vat_number("EL094014201")
    uk = parse_vat_number("GB123456789")

    assert (greek.country, greek.number, greek.stripe_type) == ("GR", "094014201", "eu_vat")
    assert (uk.country, uk.stripe_type) == ("GB", "gb_vat")
    assert parse_vat_number("DE123") is None
    assert parse_vat_number("US123456789") is None


def test_a_northern_ireland_number_is_parsed_from_stripe_and_asked_for_as_gb_on_the_form():
    northern_ireland = parse_vat_number("XI123456789")

    assert (northern_ireland.prefix, northern_ireland.stripe_type) == ("XI", "eu_vat")
    with pytest.raises(TaxIdFormatError, match="GB123456789"):
        normalise_vat_number("XI123456789", country="GB")
