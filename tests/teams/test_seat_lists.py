"""Reading the buyer's list of people: every accepted shape of a line, and the reasons a line is refused."""

import pytest

from teams.seat_lists import (
    MAX_SEAT_LIST_FILE_BYTES,
    MAX_SEAT_LIST_LINES,
    SeatListUnreadable,
    csv_to_lines,
    read_seat_list,
)


def test_each_accepted_shape_of_a_line_gives_a_name_and_a_normalised_address():
    people = read_seat_list(
        "Dana Okafor <Dana@Studio.Example>\n"
        "raj@studio.example, Raj Patel\n"
        "Ana Editor, ana@studio.example\n"
        "\n"
        "  bo@studio.example  \n"
        '"Okafor, Lee" <lee@studio.example>\n'
    )

    assert [(p.number, p.name, p.email, p.problem) for p in people] == [
        (1, "Dana Okafor", "dana@studio.example", ""),
        (2, "Raj Patel", "raj@studio.example", ""),
        (3, "Ana Editor", "ana@studio.example", ""),
        (5, "", "bo@studio.example", ""),
        (6, "Okafor, Lee", "lee@studio.example", ""),
    ]


def test_a_line_without_a_valid_address_or_repeating_one_says_why():
    people = read_seat_list("Dana <not-an-address>\nJust A Name\nraj@x.example\nRaj Again <RAJ@x.example>")

    assert [p.problem for p in people] == [
        "“not-an-address” is not a valid email address",
        "no email address on this line",
        "",
        "listed twice (first on line 3)",
    ]


def test_a_list_longer_than_the_limit_is_refused_whole():
    with pytest.raises(SeatListUnreadable, match=str(MAX_SEAT_LIST_LINES)):
        read_seat_list("\n".join(f"p{n}@x.example" for n in range(MAX_SEAT_LIST_LINES + 1)))
    assert len(read_seat_list("\n".join(f"p{n}@x.example" for n in range(MAX_SEAT_LIST_LINES)))) == 500


def test_a_csv_file_with_name_and_email_columns_becomes_lines_in_any_column_order():
    data = '\ufeffEmail,Name,Team\r\ndana@studio.example,"Okafor, Dana",Post\r\n,No Address,\r\nraj@x.example,,\r\n'

    lines = csv_to_lines(data.encode("utf-8"))

    assert [(p.name, p.email, p.problem) for p in read_seat_list(lines)] == [
        ("Okafor, Dana", "dana@studio.example", ""),
        ("No Address", "", "no email address on this line"),
        ("", "raj@x.example", ""),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"name,phone\nDana,123\n", "email"),
        (b"\xff\xfeD\x00", "UTF-8"),
        (b"", "empty"),
        (b"email\n" + b"a@x.example\n" * MAX_SEAT_LIST_FILE_BYTES, "KB"),
        (("email\n" + "a@x.example\n" * (MAX_SEAT_LIST_LINES + 1)).encode(), str(MAX_SEAT_LIST_LINES)),
    ],
)
def test_an_unreadable_csv_file_is_refused_with_the_reason(data, message):
    with pytest.raises(SeatListUnreadable, match=message):
        csv_to_lines(data)
