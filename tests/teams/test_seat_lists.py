"""Reading the buyer's list of people: every accepted shape of a line, and the reasons a line is refused."""

import pytest

from teams.seat_lists import (
    MAX_SEAT_LIST_FILE_BYTES,
    MAX_SEAT_LIST_LINES,
    SeatListUnreadable,
    csv_to_lines,
    read_list,
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
    people = read_seat_list(
        "Dana <not-an-address>\nJust A Name\nRaj <raj@x.example>\nRaj Again <RAJ@x.example>"
    )

    assert [p.problem for p in people] == [
        "“not-an-address” is not a valid email address",
        "no email address on this line",
        "",
        "listed twice (first on line 3)",
    ]


def people_of(text: str) -> list[tuple[int, str, str, str]]:
    return [(p.number, p.name, p.email, p.problem) for p in read_seat_list(text)]


@pytest.mark.parametrize(
    "pasted",
    [
        "First name\tLast name\tWork email\nDana\tOkafor\tdana@studio.example\nRaj\tPatel\traj@studio.example",
        "Name\tEmail\nDana Okafor\tdana@studio.example\nRaj Patel\tRaj@Studio.example",
        "Name, Email\nDana Okafor, dana@studio.example\nRaj Patel, raj@studio.example",
        "Email\tName\ndana@studio.example\tDana Okafor\nraj@studio.example\tRaj Patel\n",
    ],
)
def test_a_spreadsheet_paste_gives_one_person_a_row_and_its_header_row_is_no_bad_line(pasted):
    pasted_list = read_list(pasted)

    assert [(p.number, p.name, p.email, p.problem) for p in pasted_list.people] == [
        (2, "Dana Okafor", "dana@studio.example", ""),
        (3, "Raj Patel", "raj@studio.example", ""),
    ]
    assert pasted_list.note_texts == ["line 1 read as the names of the columns, not as a person"]


def test_several_addresses_on_one_line_give_one_person_each_and_the_list_says_so():
    pasted_list = read_list(
        "dana@studio.example\n"
        "a@x.example, b@x.example; c@x.example\n"
        "Ana Editor <ana@x.example>; Bo Grip <bo@x.example>\n"
        '"Okafor, Lee" <lee@x.example>, "Cy" <cy@x.example>\n'
    )

    assert [(p.number, p.name, p.email) for p in pasted_list.people] == [
        (1, "", "dana@studio.example"),
        (2, "", "a@x.example"),
        (2, "", "b@x.example"),
        (2, "", "c@x.example"),
        (3, "Ana Editor", "ana@x.example"),
        (3, "Bo Grip", "bo@x.example"),
        (4, "Okafor, Lee", "lee@x.example"),
        (4, "Cy", "cy@x.example"),
    ]
    assert pasted_list.note_texts == [
        "3 people found on line 2",
        "2 people found on line 3",
        "2 people found on line 4",
    ]


def test_a_person_named_on_one_line_and_listed_without_a_name_on_another_is_one_person_with_the_name():
    pasted_list = read_list(
        "dana@studio.example\nRaj Patel <raj@studio.example>\nDana Okafor, Dana@Studio.example\nraj@studio.example"
    )

    assert [(p.number, p.name, p.email, p.problem) for p in pasted_list.people] == [
        (1, "Dana Okafor", "dana@studio.example", ""),
        (2, "Raj Patel", "raj@studio.example", ""),
    ]
    assert pasted_list.note_texts == [
        "dana@studio.example on line 3 is also on line 1: merged",
        "raj@studio.example on line 4 is also on line 2: merged",
    ]


def test_invisible_characters_are_removed_anywhere_in_an_address_and_the_line_is_named():
    pasted_list = read_list(
        "\ufeffDana Okafor <dana@studio.example>\n"
        "raj\u200b@studio.example\n"
        "bo@stu\u200ddio.example\n"
        "Cy \u200e<cy@studio\u00ad.example>\n"
    )

    assert [(p.number, p.name, p.email, p.problem) for p in pasted_list.people] == [
        (1, "Dana Okafor", "dana@studio.example", ""),
        (2, "", "raj@studio.example", ""),
        (3, "", "bo@studio.example", ""),
        (4, "Cy", "cy@studio.example", ""),
    ]
    assert pasted_list.note_texts == [f"line {n} had an invisible character, removed" for n in (1, 2, 3, 4)]


def test_a_csv_file_with_first_and_last_name_columns_joins_them():
    lines = csv_to_lines(b"First name,Last name,E-mail\nDana,Okafor,dana@studio.example\n")

    assert people_of(lines) == [(1, "Dana Okafor", "dana@studio.example", "")]


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
