"""CSV text that spreadsheets open safely, shared by every finance export (orders, money movements,
receivables): formula-looking cells neutralised, UTC timestamps, RFC 4180 quoting with CRLF line ends, an
optional byte-order mark, and file names that say which period a download holds.
"""

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator

BOM = "\ufeff"

# OWASP "CSV injection": a cell starting with one of these is read as a formula by Excel and Sheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
ZERO = dt.timedelta(0)


def neutralise(value: str) -> str:
    """Prefix a would-be formula with an apostrophe so spreadsheets show it as text."""
    if value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def format_timestamp(moment: dt.datetime | None) -> str:
    """`2026-01-05T09:30:00Z`, in UTC."""
    if moment is None:
        return ""
    if moment.utcoffset() != ZERO:
        moment = moment.astimezone(dt.UTC)
    # Written out rather than strftime: this runs for every row of a 200,000-row export.
    return (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T"
        f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}Z"
    )


ROWS_PER_PIECE = 500


def iter_csv(rows: Iterable[list[str]], bom: bool = False) -> Iterator[str]:
    """RFC 4180 CSV text (quoted where needed, CRLF line ends) in pieces of ROWS_PER_PIECE rows, each
    written by one `writerows` call (a call per row cost a sizeable share of an export's time)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if bom:
        buffer.write(BOM)
    batch: list[list[str]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= ROWS_PER_PIECE:
            writer.writerows(batch)
            batch.clear()
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    writer.writerows(batch)
    if buffer.tell():
        yield buffer.getvalue()


def period_filename(kind: str, since: dt.date | None, until: dt.date | None, *extra: str) -> str:
    """`orders-from-2026-01-01-before-2026-02-01-paid.csv`: what a download holds, in its name."""
    parts = [kind]
    if since:
        parts.append(f"from-{since.isoformat()}")
    if until:
        parts.append(f"before-{until.isoformat()}")
    return "-".join([*parts, *(part for part in extra if part)]) + ".csv"
