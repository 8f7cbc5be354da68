"""Giving many seats at once: the buyer's list (teams.seat_lists) is planned against the order's free
seats, shown as a preview, then planned again and assigned in one transaction under the order's row lock.

The preview is never trusted: the confirm sends the same list back, it is read and checked again, and a
digest of the plan the buyer saw must match the plan made now, or nothing is assigned and the new preview
is shown. Every seat goes to its holder through teams.seats._give; each person gets one email listing
all their seats of the order."""

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass, field, replace

from django.db import transaction

from access.grants import access_is_due
from access.models import Grant
from checkout import states
from checkout.models import Order, OrderLine
from common.lookalikes import look_alike_groups
from common.text import normalise_email
from teams import seats, tasks
from teams.seat_lists import BAD_ADDRESS, HELD_HERE, LISTED_TWICE, NO_ADDRESS, Person, read_list

# How the preview counts the lines of each kind of problem ("12 lines without an email address").
PROBLEM_HEADINGS = {
    NO_ADDRESS: "without an email address",
    BAD_ADDRESS: "with an address that is not valid",
    LISTED_TWICE: "with an address listed before under another name",
    HELD_HERE: "naming someone who already holds a seat of {products} on this order",
}
# The line numbers a collapsed problem names before "…".
SHOWN_LINE_NUMBERS = 20


class SeatListRefused(Exception):
    """Nothing was assigned; `plan` says why (its `error`, or the plan changed since the preview)."""

    def __init__(self, plan: "SeatPlan", message: str) -> None:
        super().__init__(message)
        self.plan = plan


@dataclass(frozen=True)
class Placement:
    person: Person
    seat: int
    other_order: str = ""  # the buyer's other order on which this person already holds the products


@dataclass(frozen=True)
class ProblemGroup:
    """The lines of the list with one kind of problem, for the preview."""

    heading: str
    people: list[Person]

    @property
    def numbers(self) -> str:
        """ "3, 5, 7, …": the lines, at most SHOWN_LINE_NUMBERS of them."""
        numbers = list(dict.fromkeys(p.number for p in self.people))
        shown = ", ".join(str(n) for n in numbers[:SHOWN_LINE_NUMBERS])
        return shown + (", …" if len(numbers) > SHOWN_LINE_NUMBERS else "")

    @property
    def line_count(self) -> int:
        return len({p.number for p in self.people})


@dataclass
class SeatPlan:
    line: OrderLine
    product_names: str
    free: int
    people: list[Person]
    placements: list[Placement] = field(default_factory=list)
    invalid: list[Person] = field(default_factory=list)
    elsewhere: list[Placement] = field(default_factory=list)  # left out unless the buyer confirms
    include_elsewhere: bool = False
    error: str = ""
    # Different addresses of the list (or of a holder on this order) that look alike: (address, holds a
    # seat here) side by side. Shown in the preview, never refused: they may be different people.
    look_alikes: list[list[tuple[str, bool]]] = field(default_factory=list)
    seats: dict[int, list[Grant]] = field(default_factory=dict, repr=False)
    notes: list[str] = field(default_factory=list)  # what was understood ("3 people found on line 2")
    # Seats of this plan whose claim links the buyer already took to send, and when.
    links_out: dict[int, dt.datetime] = field(default_factory=dict)

    @property
    def problem_groups(self) -> list[ProblemGroup]:
        """The lines that cannot have a seat, one group per kind of problem, in the order they appear."""
        groups: dict[str, list[Person]] = {}
        for person in self.invalid:
            groups.setdefault(person.kind, []).append(person)
        return [
            ProblemGroup(
                PROBLEM_HEADINGS.get(kind, "that cannot be given a seat").format(products=self.product_names),
                people,
            )
            for kind, people in groups.items()
        ]

    @property
    def free_without_links(self) -> int:
        """Free seats whose claim links have not gone out."""
        return sum(1 for grants in self.seats.values() if grants[0].claim_link_out_at is None)

    @property
    def digest(self) -> str:
        """What the buyer is shown and asked to confirm, as a short fingerprint."""
        parts = [f"{p.seat}:{p.person.email}:{p.person.name}" for p in self.placements]
        parts += [f"x:{p.person.email}" for p in self.elsewhere]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:24]


def buyer_order(reference: str, buyer_email: str, *, lock: bool = False) -> Order | None:
    """The buyer's own paid order by its reference (None for anyone else's). For the reference of seats
    added to a team order, that team order: its seat manager hands them out."""
    email = normalise_email(buyer_email)
    if not email:
        return None
    orders = Order.objects.select_for_update() if lock else Order.objects.all()
    order = orders.filter(reference=reference, email=email).first()
    if order is not None and order.adds_seats_to_id:
        order = orders.filter(pk=order.adds_seats_to_id, email=email).first()
    return order if order is not None and order.status in states.MONEY_RECEIVED else None


def team_lines(order: Order, line: OrderLine) -> list[int]:
    """The line and the lines of seats added to the team for the same product: one pool of seats."""
    added = OrderLine.objects.filter(order__adds_seats_to=order, product_id=line.product_id)
    return (
        [line.pk, *added.exclude(pk=line.pk).values_list("pk", flat=True)] if line.product_id else [line.pk]
    )


def _free_seats(lines: list[int], *, lock: bool) -> dict[int, list[Grant]]:
    """The unassigned seats of the lines (added seats number on after the team's), by number, each with
    all its grants."""
    grants = Grant.objects.filter(line_id__in=lines, state=Grant.State.UNASSIGNED).order_by("seat", "pk")
    if lock:
        grants = grants.select_for_update()
    by_seat: dict[int, list[Grant]] = {}
    for grant in grants:
        by_seat.setdefault(grant.seat, []).append(grant)
    return by_seat


def plan_seat_list(
    order: Order, line: OrderLine, text: str, *, include_elsewhere: bool = False, lock: bool = False
) -> SeatPlan:
    """Who would get which free seat of `line`, and which lines cannot have one and why. A handful of
    queries however long the list. Raises SeatListUnreadable (teams.seat_lists) for an over-long list."""
    seat_list = read_list(text)
    people = seat_list.people
    pool = team_lines(order, line)
    free = _free_seats(pool, lock=lock)
    product_ids = list(
        Grant.objects.filter(line_id__in=pool).order_by().values_list("product_id", flat=True).distinct()
    )
    product_names = line.product_name
    plan = SeatPlan(line=line, product_names=product_names, free=len(free), people=people, seats=free)
    plan.include_elsewhere = include_elsewhere
    plan.notes = seat_list.note_texts
    emails = [p.email for p in people if p.email and not p.problem]
    held_here = seats.holders_on_order(order, product_ids, emails)
    held_elsewhere = seats.holders_on_other_orders(order, product_ids, emails)
    wanted: list[tuple[Person, str]] = []
    for person in people:
        if person.problem:
            plan.invalid.append(person)
        elif person.email in held_here:
            plan.invalid.append(
                replace(
                    person, problem=f"already holds a seat of {product_names} on this order", kind=HELD_HERE
                )
            )
        else:
            wanted.append((person, held_elsewhere.get(person.email, "")))
    plan.look_alikes = _look_alikes(order, product_ids, [person.email for person, _ in wanted])
    if not access_is_due(order):
        plan.error = "This order no longer gives access, so its seats cannot be given."
        return plan
    # Seats whose claim links went out wait for the people those links were sent to: a list takes them
    # only when no other seat is free (the preview says so).
    numbers = iter(sorted(free, key=lambda n: (free[n][0].claim_link_out_at is not None, n)))
    taking = [(p, ref) for p, ref in wanted if include_elsewhere or not ref]
    if len(taking) > len(free):
        plan.error = (
            f"The list names {len(taking)} people who can have a seat, but only {len(free)} "
            f"seat{'' if len(free) == 1 else 's'} {'is' if len(free) == 1 else 'are'} free. "
            f"Remove {len(taking) - len(free)}, or add seats to this order first."
        )
    for person, reference in wanted:
        if reference and not include_elsewhere:
            plan.elsewhere.append(Placement(person, 0, reference))
        else:
            placement = Placement(person, next(numbers, 0), reference)
            plan.placements.append(placement)
            if placement.seat and free[placement.seat][0].claim_link_out_at:
                plan.links_out[placement.seat] = free[placement.seat][0].claim_link_out_at
    if not plan.error and not plan.placements:
        plan.error = "No line of the list can be given a seat."
    return plan


def _look_alikes(order: Order, product_ids: list[int], listed: list[str]) -> list[list[tuple[str, bool]]]:
    """The groups of look-alike addresses with at least one from the list, holders on the order first."""
    holding = set(
        Grant.objects.filter(
            order_id__in=seats.team_order_ids(order), state=Grant.State.ACTIVE, product_id__in=product_ids
        )
        .exclude(holder_email="")
        .values_list("holder_email", flat=True)
    )
    groups = look_alike_groups([*sorted(holding), *listed])
    return [
        [(address, address in holding) for address in group]
        for group in groups
        if any(address not in holding for address in group)
    ]


@transaction.atomic
def assign_seat_list(
    *,
    reference: str,
    buyer_email: str,
    line_id: int,
    text: str,
    include_elsewhere: bool,
    seen_digest: str,
) -> SeatPlan:
    """Give every valid line of the list a free seat of the line, all or nothing, under the order's row
    lock. Raises SeatListRefused (nothing assigned) when the plan has an error or differs from the one the
    buyer confirmed; Order.DoesNotExist when the order is not this buyer's."""
    order = buyer_order(reference, buyer_email, lock=True)
    if order is None:
        raise Order.DoesNotExist
    line = order.lines.get(pk=line_id)
    plan = plan_seat_list(order, line, text, include_elsewhere=include_elsewhere, lock=True)
    if plan.error:
        raise SeatListRefused(plan, plan.error)
    if plan.digest != seen_digest:
        raise SeatListRefused(plan, "The seats changed since the preview; check the new preview and confirm.")
    given = [(plan.seats[p.seat], p.person.name, p.person.email) for p in plan.placements]
    seats._give(order, given, announce=False)
    batch = secrets.token_hex(4)
    # One email per person and order holding their seat (seats added to the team are their own orders).
    for order_id, email in sorted(
        {(plan.seats[p.seat][0].order_id, p.person.email) for p in plan.placements}
    ):
        tasks.send_seats_given_email.enqueue(order_id, email, batch)
    states.note(
        order,
        "access",
        f"{len(given)} seat(s) of line {line.pk} assigned from a list: "
        + ", ".join(f"{p.seat} to {p.person.email}" for p in plan.placements),
        source="buyer",
    )
    return plan
