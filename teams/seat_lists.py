"""Reading a list of people the buyer pastes or uploads: one person a line, as `Name <email>`,
`email, name` (or `name, email`), a bare email, or spreadsheet cells separated by tabs; a line may name
several people (`a@x, b@x` or a mail client's `A <a@x>; B <b@x>`), and a header row naming the columns is
understood and skipped. A CSV file with name and email columns becomes the same lines. Pure text work:
which seats they get is decided in teams.seat_batches."""

import csv
import io
import re
from dataclasses import dataclass, field, replace

from common.text import FORM_CONTROL_CHARACTERS, INVISIBLE_CHARACTERS, normalise_email, single_line

# The most people one list may name, whatever way it arrives (pasted, uploaded, confirmed).
MAX_SEAT_LIST_LINES = 500
# An uploaded CSV file larger than this is refused before it is read.
MAX_SEAT_LIST_FILE_BYTES = 100 * 1024
# Characters a pasted list may hold: MAX_SEAT_LIST_LINES long lines.
MAX_SEAT_LIST_CHARS = MAX_SEAT_LIST_LINES * 320

# Why a line cannot have a seat, by kind: the preview counts the lines of each kind.
NO_ADDRESS = "no-address"
BAD_ADDRESS = "bad-address"
LISTED_TWICE = "listed-twice"
HELD_HERE = "held-here"  # decided by teams.seat_batches, which knows the order

ANGLE = re.compile(r"^(?P<name>[^<>]*)<(?P<email>[^<>]*)>\s*$")
# Separators between people or between a person's cells, outside quotes and angle brackets.
SEPARATORS = ",;\t"
# A cell of a header row copied with the list ("First name", "Work email", "E-mail address", ...).
HEADER_CELL = re.compile(
    r"^(?:(?:(?:first|last|full|given|family|middle)\s*)?name|surname|holder(?:\s+name)?"
    r"|(?:(?:work|business|personal|company|office)\s+)?e-?mail(?:\s+address)?)$",
    re.IGNORECASE,
)
EMAIL_COLUMNS = ("email", "e-mail", "email address", "e-mail address", "mail", "work email")
NAME_COLUMNS = ("name", "full name", "holder", "holder name")
FIRST_NAME_COLUMNS = ("first name", "given name")
LAST_NAME_COLUMNS = ("last name", "surname", "family name")


class SeatListUnreadable(Exception):
    """The list (or file) cannot be read at all; the message says why, for the buyer."""


@dataclass(frozen=True)
class Person:
    """One person the list names (a line may name several). `problem` is why they cannot be given a seat
    ("" when they can), `kind` the kind of problem (NO_ADDRESS, ...)."""

    number: int
    text: str
    name: str
    email: str
    problem: str = ""
    kind: str = ""


@dataclass
class SeatList:
    """The people of a list, and what was understood on the way, each note naming its line ("3 people
    found on line 2"), in line order."""

    people: list[Person] = field(default_factory=list)
    notes: list[tuple[int, str]] = field(default_factory=list)

    @property
    def note_texts(self) -> list[str]:
        return [text for _, text in sorted(self.notes, key=lambda note: note[0])]


def _segments(text: str) -> list[str]:
    """The line cut at each separator that is outside quotes and angle brackets."""
    parts, current, quoted, angled = [], [], False, False
    for char in text:
        if char == '"' and not angled:
            quoted = not quoted
        elif char == "<" and not quoted:
            angled = True
        elif char == ">" and not quoted:
            angled = False
        elif char in SEPARATORS and not quoted and not angled:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return [part.strip() for part in parts if part.strip()]


def _is_header(segments: list[str]) -> bool:
    cells = [cell.strip().strip('"').strip() for cell in segments]
    return (
        bool(cells)
        and all(HEADER_CELL.match(cell) for cell in cells)
        and any("mail" in cell.lower() for cell in cells)
    )


def _items(segments: list[str]) -> list[tuple[str, str | None]]:
    """Each name piece as (name, None) and each address as (name, address) with the name written beside
    it in angle form ("" when none)."""
    items: list[tuple[str, str | None]] = []
    for segment in segments:
        angled = ANGLE.match(segment)
        if angled:
            items.append((angled["name"].strip().strip('"').strip(), angled["email"].strip()))
        elif "@" in segment:
            # "Dana Okafor dana@x.example": the words without an @ are the name.
            words = segment.split()
            name = " ".join(word for word in words if "@" not in word)
            if name:
                items.append((name, None))
            items += [("", word) for word in words if "@" in word]
        else:
            items.append((segment.strip('"').strip(), None))
    return items


def _people_of(segments: list[str]) -> tuple[list[tuple[str, str]], str]:
    """(name, address as typed) for each address of the line, and the name of a line without any.

    Loose name pieces belong to the address they follow when the line starts with an address
    (`dana@x, Dana Okafor`), else to the address after them (`Dana<TAB>Okafor<TAB>dana@x`)."""
    items = _items(segments)
    people: list[list[str]] = []
    pending: list[str] = []
    email_first = bool(items) and items[0][1] is not None
    for name, typed in items:
        if typed is None and email_first and people:
            people[-1][0] = " ".join(filter(None, [people[-1][0], name]))
        elif typed is None:
            pending.append(name)
        else:
            people.append([" ".join(filter(None, [*pending, name])), typed])
            pending = []
    if pending and people:
        people[-1][0] = " ".join(filter(None, [people[-1][0], *pending]))
    return [(name, typed) for name, typed in people], " ".join(pending)


def _address(number: int, text: str, name: str, typed: str) -> Person:
    name = single_line(name.strip('"'), 200)
    typed = typed.strip().strip("\"'").removeprefix("mailto:")
    if not typed:
        return Person(number, text, name, "", "no email address on this line", NO_ADDRESS)
    email = normalise_email(typed)
    if not email:
        return Person(number, text, name, "", f"“{typed[:80]}” is not a valid email address", BAD_ADDRESS)
    return Person(number, text, name, email)


def read_line(number: int, raw: str, notes: list[tuple[int, str]] | None = None) -> list[Person]:
    """The people one line names (none for a header row), each note about the line added to `notes`."""
    notes = [] if notes is None else notes
    visible = INVISIBLE_CHARACTERS.sub("", raw)
    if visible != raw:
        notes.append((number, f"line {number} had an invisible character, removed"))
    text = single_line(visible, 600)
    segments = _segments(visible[:2400])
    if _is_header(segments):
        notes.append((number, f"line {number} read as the names of the columns, not as a person"))
        return []
    found, name = _people_of(segments)
    if not found:
        return [_address(number, text, name or text, "")]
    if len(found) > 1:
        notes.append((number, f"{len(found)} people found on line {number}"))
    return [_address(number, text, name, typed) for name, typed in found]


def read_list(text: str) -> SeatList:
    """The people a pasted list names, blank lines and header rows skipped. An address listed again is
    merged with its first line when at most one of the lines names the person (the name is kept), and
    marked as listed twice when the names differ. Raises SeatListUnreadable beyond MAX_SEAT_LIST_LINES
    lines or people."""
    text = FORM_CONTROL_CHARACTERS.sub("", text or "")
    lines = [(n, raw) for n, raw in enumerate(text.splitlines(), start=1) if raw.strip()]
    if len(lines) > MAX_SEAT_LIST_LINES:
        raise SeatListUnreadable(
            f"The list has {len(lines)} lines; one list can name at most {MAX_SEAT_LIST_LINES} people."
        )
    result = SeatList()
    first_of: dict[str, int] = {}  # address -> index in result.people
    for number, raw in lines:
        for person in read_line(number, raw, result.notes):
            at = first_of.get(person.email) if person.email else None
            if at is None:
                if person.email:
                    first_of[person.email] = len(result.people)
                result.people.append(person)
                continue
            earlier = result.people[at]
            if not person.name or not earlier.name or person.name.casefold() == earlier.name.casefold():
                result.people[at] = replace(earlier, name=earlier.name or person.name)
                result.notes.append(
                    (number, f"{person.email} on line {number} is also on line {earlier.number}: merged")
                )
                continue
            problem = f"listed twice (first on line {earlier.number})"
            result.people.append(replace(person, problem=problem, kind=LISTED_TWICE))
    if len(result.people) > MAX_SEAT_LIST_LINES:
        raise SeatListUnreadable(
            f"The list names {len(result.people)} people; one list can name at most {MAX_SEAT_LIST_LINES}."
        )
    return result


def read_seat_list(text: str) -> list[Person]:
    """The people of a pasted list (read_list without its notes)."""
    return read_list(text).people


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
    name_at = [next((header.index(c) for c in NAME_COLUMNS if c in header), None)]
    if name_at == [None]:
        # "First name" and "Last name" columns are joined into one name.
        name_at = [
            next((header.index(c) for c in columns if c in header), None)
            for columns in (FIRST_NAME_COLUMNS, LAST_NAME_COLUMNS)
        ]
    if email_at is None:
        raise SeatListUnreadable("The file needs a first row naming its columns, with one called “email”.")
    if len(rows) - 1 > MAX_SEAT_LIST_LINES:
        raise SeatListUnreadable(
            f"The file has {len(rows) - 1} people; one list can name at most {MAX_SEAT_LIST_LINES}."
        )
    lines = []
    for row in rows[1:]:
        email = row[email_at].strip() if email_at < len(row) else ""
        name = " ".join(row[at].strip() for at in name_at if at is not None and at < len(row))
        name = " ".join(name.replace("<", " ").replace(">", " ").replace('"', " ").split())
        # Quoted, so a comma in the name ("Okafor, Dana") does not split it.
        name = f'"{name}"' if name else ""
        lines.append(f"{email}, {name}" if email and name else email or name)
    return "\n".join(lines)
