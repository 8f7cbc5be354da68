"""The seat manager's page, shared by its views (teams.seat_views, teams.added_seat_views): the table of
every seat of the order and of the seats added to it later, the list to assign many at once, reminders,
and "Add seats"."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from access.grants import access_is_due
from access.models import Grant
from catalog.seats import MAX_TEAM_SEATS
from checkout import added_seats
from checkout.models import Order
from checkout.stripe_client import checkout_enabled
from teams import reminders, seat_table
from teams.forms import AddSeatsForm, SeatListForm
from teams.seat_lists import MAX_SEAT_LIST_FILE_BYTES, MAX_SEAT_LIST_LINES


def seats_url(order: Order) -> str:
    return reverse("teams:seats", kwargs={"reference": order.reference})


def _adding(order: Order, add_form: AddSeatsForm | None) -> dict:
    """What the "Add seats" panel shows: each line with today's price and how many may be added, the
    added purchases on their way (or paid and being set up), and the form."""
    lines = list(order.lines.select_related("product"))
    choices = [(line, added_seats.addable(order, line)) for line in lines if line.product]
    added = added_seats.added_orders(order)
    set_up = set(
        Grant.objects.filter(order__in=added).order_by().values_list("order_id", flat=True).distinct()
    )
    first = next((line for line, most in choices if most), None)
    if not checkout_enabled():
        unavailable = "Card payment is not set up on this site, so seats cannot be added here."
    elif not access_is_due(order):
        unavailable = "This order no longer gives access, so no seats can be added to it."
    elif first is None:
        unavailable = added_seats.refusal(order, lines[0], 1) if lines else "This order has no seats."
    else:
        unavailable = ""
    return {
        "add_choices": choices,
        "can_add": not unavailable,
        "add_unavailable": unavailable,
        "added_orders": [(o, o.pk in set_up) for o in added],
        "add_form": add_form or AddSeatsForm(initial={"line": first.pk if first else None, "quantity": 1}),
        "max_team_seats": MAX_TEAM_SEATS,
    }


def page(
    request: HttpRequest,
    order: Order,
    *,
    form=None,
    plan=None,
    add_form: AddSeatsForm | None = None,
    status: int = 200,
) -> HttpResponse:
    rows = seat_table.seat_rows(order)
    shown = request.GET.get("show", "")
    wanted = seat_table.FILTERS.get(shown)
    course_filter = seat_table.COURSE_FILTERS.get(shown)
    search = " ".join(request.GET.get("q", "")[: seat_table.MAX_SEARCH_CHARS].split())
    lines = list(order.lines.all())
    context = {
        "order": order,
        "lines": lines,
        "rows": [
            r
            for r in rows
            if (wanted is None or wanted(r))
            and (course_filter is None or course_filter(r))
            and r.matches(search.casefold())
        ],
        "counts": seat_table.seat_counts(rows),
        "show": shown if wanted or course_filter else "",
        "learning_counts": {k: sum(map(f, rows)) for k, f in seat_table.COURSE_FILTERS.items()},
        "search": search,
        "to_remind": seat_table.to_remind(order, rows),
        "nobody_to_remind": seat_table.nobody_to_remind(order, rows),
        "reminded_today": reminders.reminded_today(order),
        "course_platform_reports": bool(settings.COURSE_PLATFORM_EVENTS_SECRET),
        "site_url": settings.SITE_URL,
        "contact_email": settings.SITE_CONTACT_EMAIL,
        "claim_days": settings.CLAIM_LINK_MAX_AGE_SECONDS // 86400,
        "max_lines": MAX_SEAT_LIST_LINES,
        "max_file_kb": MAX_SEAT_LIST_FILE_BYTES // 1024,
        "form": form or SeatListForm(initial={"line": lines[0].pk if lines else None}),
        "plan": plan,
        "payment_left": request.GET.get("cancelled") == "1",
        **_adding(order, add_form),
        "breadcrumbs": [
            ("Your purchases", reverse("access:purchases")),
            (f"Seats of order {order.reference}", ""),
        ],
    }
    return render(request, "teams/seats.html", context, status=status)
