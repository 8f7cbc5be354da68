"""Reading a list of people the buyer pastes or uploads: one person a line, as `Name <email>`,
`email, name` (or `name, email`), or a bare email; a CSV file with name and email columns becomes the
same lines. Pure text work: which seats they get is decided in teams.seat_batches."""

import csv
import io
import re
from dataclasses import dataclass

from common.text import FORM_CONTROL_CHARACTERS, normalise_email, single_line

# The most people one list may name, whatever way it arrives (pasted, uploaded, confirmed).
MAX_SEAT_LIST_LINES = 500
# An uploaded CSV file larger than this is refused before it is read.
MAX_SEAT_LIST_FILE_BYTES = 100 * 1024
# Characters a pasted list may hold: MAX_SEAT_LIST_LINES long lines.
MAX_SEAT_LIST_CHARS = MAX_SEAT_LIST_LINES * 320

ANGLE = re.compile(r"^(?P<name>[^<>]*)<(?P<email>[^<>]*)>\s*$")
EMAIL_COLUMNS = ("email", "e-mail", "email address", "e-mail address", "mail")
NAME_COLUMNS = ("name", "full name", "holder", "holder name")


class SeatListUnreadable(Exception):
    """The list (or file) cannot be read at all; the message says why, for the buyer."""


@dataclass(frozen=True)
class Person:
    """One non-blank line of the list. `problem` is why it cannot be given a seat ("" when it can)."""

    number: int
    text: str
    name: str
    email: str
    problem: str = ""


def _split(text: str) -> tuple[str, str]:
    """(name, address as typed) of one line."""
    angled = ANGLE.match(text)
    if angled:
        return angled["name"].strip().strip('"').strip(), angled["email"].strip()
    for separator in (",", ";", "\t"):
        if separator in text:
            first, rest = (part.strip() for part in text.split(separator, 1))
            if "@" in first:
                return rest, first
            if "@" in rest:
                return first, rest
            return text, ""
    return ("", text) if "@" in text else (text, "")


def read_line(number: int, text: str) -> Person:
    text = single_line(text, 600)
    name, typed = _split(text)
    name = single_line(name.strip('"'), 200)
    if not typed:
        return Person(number, text, name, "", "no email address on this line")
    email = normalise_email(typed)
    if not email:
        return Person(number, text, name, "", f"“{typed[:80]}” is not a valid email address")
    return Person(number, text, name, email)


def read_seat_list(text: str) -> list[Person]:
    """The people a pasted list names, blank lines skipped; a second line for an address already listed
    is marked as a problem. Raises SeatListUnreadable beyond MAX_SEAT_LIST_LINES."""
    text = FORM_CONTROL_CHARACTERS.sub("", text or "")
    lines = [(n, raw) for n, raw in enumerate(text.splitlines(), start=1) if raw.strip()]
    if len(lines) > MAX_SEAT_LIST_LINES:
        raise SeatListUnreadable(
            f"The list has {len(lines)} lines; one list can name at most {MAX_SEAT_LIST_LINES} people."
        )
    people: list[Person] = []
    first_line_of: dict[str, int] = {}
    for number, raw in lines:
        person = read_line(number, raw)
        if person.email and person.email in first_line_of:
            person = Person(
                number,
                person.text,
                person.name,
                person.email,
                f"listed twice (first on line {first_line_of[person.email]})",
            )
        elif person.email:
            first_line_of[person.email] = number
        people.append(person)
    return people


def csv_to_lines(data: bytes) -> str:
    """An uploaded CSV file (a header row naming the name and email columns, then one person a row) as
    the `email, name` lines a pasted list would hold."""
    if len(data) > MAX_SEAT_LIST_FILE_BYTES:
        raise SeatListUnreadable(f"The file is larger than {MAX_SEAT_LIST_FILE_BYTES // 1024} KB.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SeatListUnreadable(
            "The file is not UTF-8 text; save it from your spreadsheet as CSV UTF-8."
        ) from None
    try:
        rows = list(csv.reader(io.StringIO(FORM_CONTROL_CHARACTERS.sub("", text))))
    except csv.Error:
        raise SeatListUnreadable("The file could not be read as CSV.") from None
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise SeatListUnreadable("The file is empty.")
    header = [cell.strip().lower() for cell in rows[0]]
    email_at = next((header.index(c) for c in EMAIL_COLUMNS if c in header), None)
    name_at = next((header.index(c) for c in NAME_COLUMNS if c in header), None)
    if email_at is None:
        raise SeatListUnreadable("The file needs a first row naming its columns, with one called “email”.")
    if len(rows) - 1 > MAX_SEAT_LIST_LINES:
        raise SeatListUnreadable(
            f"The file has {len(rows) - 1} people; one list can name at most {MAX_SEAT_LIST_LINES}."
        )
    lines = []
    for row in rows[1:]:
        email = row[email_at].strip() if email_at < len(row) else ""
        name = row[name_at].strip() if name_at is not None and name_at < len(row) else ""
        name = " ".join(name.replace("<", " ").replace(">", " ").split())
        lines.append(f"{email}, {name}" if email and name else email or name)
    return "\n".join(lines)
