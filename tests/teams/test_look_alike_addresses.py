"""Addresses that differ only in letters that look alike (a dotless ı, the Kelvin sign, a Cyrillic letter in
a domain, that domain typed as punycode) stay different addresses, but the seat-list preview names them side
by side before anyone gets a seat."""

import pytest

from common.lookalikes import look_alike_groups
from tests.teams.test_seat_manager import holders, preview

WARNING = "These look alike: check before assigning"


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("ian@studio.example", "\u0131an@studio.example"),  # dotless ı
        ("kevin@studio.example", "\u212aevin@studio.example"),  # Kelvin sign
        (
            "max@studio.example",
            "max@xn--studo-q2e.example",
        ),  # a Cyrillic і in the domain, as stored (punycode)
        ("ana@studio.example", "\u0430na@studio.example"),  # Cyrillic а in the local part
        ("lee@studio.example", "l\u0435\u0435@studio.example"),  # Cyrillic е
        ("rene@studio.example", "ren\u00e9@studio.example"),  # an accent away
        ("bo@studio.example", "\uff42\uff4f@studio.example"),  # full-width letters
    ],
)
def test_addresses_that_differ_only_in_look_alike_letters_are_grouped(first, second):
    assert look_alike_groups([first, "someone@else.example", second]) == [(first, second)]


def test_different_addresses_and_repeats_of_one_address_are_not_look_alikes():
    assert look_alike_groups(["ian@studio.example", "ivan@studio.example", "ian@studio.example"]) == []
    assert look_alike_groups(["ian@studio.example", "ian@studio.examples"]) == []


def test_the_preview_names_look_alike_addresses_side_by_side_and_still_gives_each_a_seat(team_order, client):
    people = "Ian <ian@studio.example>\nIan Two <\u0131an@studio.example>\nKevin <\u212aevin@studio.example>"

    shown = preview(client, team_order, people)

    assert shown.status_code == 200
    assert WARNING in shown.text
    assert "ian@studio.example and \u0131an@studio.example" in shown.text
    assert "Assign 3 seats" in shown.text  # they may be different people: nothing is refused


def test_a_listed_address_that_looks_like_a_holder_on_the_order_is_named_beside_it(team_order, client):
    # Ana holds seat 2 as ana@studio.example; this address's domain has a Cyrillic і (stored as punycode).
    shown = preview(client, team_order, "ana@stud\u0456o.example\nraj@studio.example")

    assert shown.text.count(WARNING) == 1
    assert "ana@studio.example (holds a seat on this order) and ana@xn--studo-q2e.example" in shown.text
    assert holders(team_order) == {1: "buyer@example.com", 2: "ana@studio.example"}


def test_a_list_without_look_alikes_shows_no_warning(team_order, client):
    shown = preview(client, team_order, "raj@studio.example\nbo@studio.example")

    assert WARNING not in shown.text


def test_a_cyrillic_domain_next_to_its_latin_twin_is_named_in_the_preview(team_order, client):
    shown = preview(client, team_order, "max@studio.example\nmax@stud\u0456o.example")

    assert WARNING in shown.text
    assert "max@studio.example and max@xn--studo-q2e.example" in shown.text
