"""The buyer's seat table: one row per seat of an order, with who holds it and how far they have got.

A seat's state is the furthest step its holder reached: not assigned, assigned, enrolled on the course
platform (our enrolment webhook reached it), claimed (they took it through a claim link), opened their
access (their browser loaded the purchases page showing it), downloaded a kit; or access ended. "Started"
is every step after assigned: a course seat has no file to download, so opening the purchases page or the
enrolment reaching the course platform is how its holder starts. A fixed number of queries per order,
however many seats it has."""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Min, Q

from access.models import Download, EnrolmentDelivery, Grant
from checkout.models import EmailDelivery, Order, OrderLine
from learning.certificate_emails import verify_url
from learning.roster import CourseProgress, course_progress, csv_cells
from teams.claims import claim_token
from teams.seats import team_order_ids, use_reasons

REMINDER_PREFIX = "seat-reminder-"
NUDGE_PREFIX = "seat-nudge-"  # teams.reminders.nudge_purpose: a nudge shows as "reminded" too

FREE = "free"
ASSIGNED = "assigned"
ENROLLED = "enrolled"
CLAIMED = "claimed"
OPENED = "opened"
DOWNLOADED = "downloaded"
ENDED = "ended"
LABELS = {
    FREE: "not assigned",
    ASSIGNED: "assigned",
    ENROLLED: "enrolled on the course platform",
    CLAIMED: "claimed",
    OPENED: "opened their access",
    DOWNLOADED: "downloaded a kit",
    ENDED: "access ended",
}
STARTED = {ENROLLED, CLAIMED, OPENED, DOWNLOADED}
NOT_STARTED = {ASSIGNED}
HELD = STARTED | NOT_STARTED
FILTERS = {"free": lambda row: row.state == FREE, "waiting": lambda row: row.waiting_to_start}
# Filters on what the course platform told us (learning.roster), beside the ones on the seat's state.
COURSE_FILTERS = {
    "learning": lambda row: any(c.started and not c.passed for c in row.courses),
    "passed": lambda row: any(c.passed for c in row.courses),
}
# The search box looks at this many characters of what was typed.
MAX_SEARCH_CHARS = 100


def reminder_purpose(day: dt.date) -> str:
    """The outbox purpose of the reminders of one day: at most one per holder per order per day."""
    return f"{REMINDER_PREFIX}{day.isoformat()}"


@dataclass
class SeatRow:
    line: OrderLine
    number: int
    token: str  # of the seat's first grant: the forms name the seat by it
    holder_name: str
    holder_email: str
    state: str
    since: dt.datetime | None
    used_because: str = ""  # why a held seat stays with its holder; "" when it may be given away
    claim_token: str = ""  # only once the buyer took the link to send it (claim_link_out)
    claim_link_out: dt.datetime | None = None
    reminded_on: dt.date | None = None
    reminder_sent: bool = False
    claimed_at: dt.datetime | None = None
    ended_because: str = ""  # why access ended (a refund, a lost dispute), shown beside "access ended"
    courses: list[CourseProgress] = field(default_factory=list)  # learning.roster: one per course

    @property
    def label(self) -> str:
        return LABELS[self.state]

    @property
    def started(self) -> bool:
        """Held and begun: the counts, the "Not started" filter, the reminders and the nudge agree."""
        return self.state in HELD and not self.waiting_to_start

    @property
    def course_news(self) -> bool:
        """Whether the course platform said anything of this holder (else the roster shows one short line)."""
        return any(c.started or c.private for c in self.courses)

    @property
    def waiting_to_start(self) -> bool:
        """Held and not begun. On a course while the course platform reports (COURSE_PLATFORM_EVENTS_SECRET),
        until it says they started; else, and for kits, by the seat's state."""
        if self.state not in HELD or self.course_news:
            return False
        return self.state in NOT_STARTED or bool(self.courses and settings.COURSE_PLATFORM_EVENTS_SECRET)

    @property
    def can_give_away(self) -> bool:
        return self.state in HELD and not self.used_because

    def matches(self, search: str) -> bool:
        """Whether the search box's text (casefolded) is in the holder's name or address."""
        return not search or search in f"{self.holder_name}\n{self.holder_email}".casefold()


@dataclass(frozen=True)
class SeatCounts:
    total: int
    started: int
    waiting: int
    free: int
    ended: int

    def __str__(self) -> str:
        parts = [f"{self.started} started", f"{self.waiting} assigned and not started", f"{self.free} free"]
        if self.ended:
            parts.append(f"{self.ended} ended")
        return f"{self.total} seat{'' if self.total == 1 else 's'}: {', '.join(parts)}"


def _state(seat: list[Grant], downloaded: dt.datetime | None, enrolled: dt.datetime | None):
    first = seat[0]
    if first.state == Grant.State.REVOKED:
        return ENDED, first.revoked_at
    if first.state == Grant.State.UNASSIGNED:
        return FREE, None
    if downloaded:
        return DOWNLOADED, downloaded
    if first.first_seen_at:
        return OPENED, first.first_seen_at
    if first.claimed_at:
        return CLAIMED, first.claimed_at
    if enrolled:
        return ENROLLED, enrolled
    return ASSIGNED, first.assigned_at


def seat_rows(order: Order) -> list[SeatRow]:
    """Every seat of the order and of the seats added to it later (its team), line by line, in seat order
    (added seats number on after the team's: access.seat_numbers)."""
    team = team_order_ids(order)
    grants = list(
        Grant.objects.filter(order_id__in=team)
        .select_related("line", "product")
        .order_by("line_id", "seat", "pk")
    )
    seats: dict[tuple[int, int], list[Grant]] = {}
    for grant in grants:
        seats.setdefault((grant.line_id, grant.seat), []).append(grant)
    first_download = dict(
        Download.objects.filter(grant__order_id__in=team, grant__state=Grant.State.ACTIVE)
        .order_by()
        .values("grant_id")
        .annotate(first=Min("at"))
        .values_list("grant_id", "first")
    )
    delivered = dict(
        EnrolmentDelivery.objects.filter(
            grant__order_id__in=team, event=EnrolmentDelivery.Event.GRANTED, cancelled_at__isnull=True
        )
        .exclude(delivered_at__isnull=True)
        .order_by()
        .values("grant_id")
        .annotate(first=Min("delivered_at"))
        .values_list("grant_id", "first")
    )
    reminders: dict[str, tuple[dt.date, bool]] = {}
    for purpose, recipient, sent_at in EmailDelivery.objects.filter(
        Q(purpose__startswith=REMINDER_PREFIX) | Q(purpose__startswith=NUDGE_PREFIX), order_id__in=team
    ).values_list("purpose", "recipient", "sent_at"):
        day = dt.date.fromisoformat(purpose.removeprefix(REMINDER_PREFIX).removeprefix(NUDGE_PREFIX))
        if recipient not in reminders or reminders[recipient][0] <= day:
            reminders[recipient] = (day, sent_at is not None)
    used = use_reasons(grants)
    learning = course_progress(grants, order.email)
    rows = []
    for (line_id, number), seat in seats.items():
        # Files and enrolment of an earlier holder do not count for this one.
        since_given = seat[0].assigned_at
        downloads = [first_download[g.pk] for g in seat if g.pk in first_download]
        enrolments = [delivered[g.pk] for g in seat if g.pk in delivered]
        downloaded = min((d for d in downloads if not since_given or d >= since_given), default=None)
        enrolled = min((d for d in enrolments if not since_given or d >= since_given), default=None)
        state, since = _state(seat, downloaded, enrolled)
        row = SeatRow(
            line=seat[0].line,
            number=number,
            token=seat[0].token,
            holder_name=seat[0].holder_name,
            holder_email=seat[0].holder_email,
            state=state,
            since=since,
            used_because=used.get((line_id, number), ""),
            claim_token=claim_token(seat[0]) if state == FREE and seat[0].claim_link_out_at else "",
            claim_link_out=seat[0].claim_link_out_at if state == FREE else None,
            claimed_at=seat[0].claimed_at if state != FREE else None,
            ended_because=seat[0].revoked_reason if state == ENDED else "",
            courses=[learning[g.pk] for g in seat if g.pk in learning],
        )
        if row.waiting_to_start and row.holder_email in reminders:
            row.reminded_on, row.reminder_sent = reminders[row.holder_email]
        rows.append(row)
    return rows


def seat_counts(rows: list[SeatRow]) -> SeatCounts:
    return SeatCounts(
        total=len(rows),
        started=sum(r.started for r in rows),
        waiting=sum(r.waiting_to_start for r in rows),
        free=sum(r.state == FREE for r in rows),
        ended=sum(r.state == ENDED for r in rows),
    )


def to_remind(order: Order, rows: list[SeatRow]) -> list[str]:
    """Holders who have not started, the buyer aside (they are the one reminding)."""
    return sorted({email for _, email in reminders_due(order, rows)})


def reminders_due(order: Order, rows: list[SeatRow]) -> list[tuple[int, str]]:
    """(order id, holder) for each holder who has not started, by the order holding their seat (the team
    order or seats added to it: each reminder is about, and links to, that order's seats)."""
    return sorted(
        {
            (r.line.order_id, r.holder_email)
            for r in rows
            if r.waiting_to_start and r.holder_email != order.email
        }
    )


def nobody_to_remind(order: Order, rows: list[SeatRow]) -> str:
    """Why there is nobody to remind, true in each case (the page and the refused reminder say it)."""
    others = [r for r in rows if r.state in HELD and r.holder_email != order.email]
    if not others:
        return "Nobody to remind yet: no seat is held by anyone but you."
    buyer_holds = any(r.state in HELD and r.holder_email == order.email for r in rows)
    return f"Nobody to remind: everyone {'else ' if buyer_holds else ''}who holds a seat has started."


FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    """A spreadsheet shows a cell starting like a formula as text, not as a formula to run."""
    return f"'{value}" if value.startswith(FORMULA_TRIGGERS) else value


def csv_rows(order: Order, rows: list[SeatRow]) -> Iterator[list[str]]:
    yield [
        *("Order", "Product", "Seat", "Holder name", "Holder email", "State", "Since", "Last reminder"),
        *("Claimed", "Started", "Progress %", "Passed", "Certificate"),
    ]
    for row in rows:
        yield [
            order.reference or "",
            _cell(row.line.product_name),
            str(row.number),
            _cell(row.holder_name),
            _cell(row.holder_email),
            f"{row.label} ({row.ended_because})" if row.ended_because else row.label,
            row.since.isoformat(timespec="seconds") if row.since else "",
            row.reminded_on.isoformat() if row.reminded_on else "",
            row.claimed_at.date().isoformat() if row.claimed_at else "",
            *csv_cells(row.courses, verify_url),
        ]
