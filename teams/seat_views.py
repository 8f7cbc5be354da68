"""The seat manager: one page per order for its buyer (the table of seats, a list to assign many at once,
reminders, a CSV of the table) and the single-seat forms. The claim link's page is teams.claim_views.

Who may act comes from the signed-in email in the session (access.sessions), never from the URL: an order
is found by its reference and its buyer's email together, a seat by its token and the buyer's email. A
browser signed in through a personal link (for one order, from an email that may have been forwarded) is
asked for a full sign-in instead; the browser that paid may manage the order it paid."""

import csv
import io

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from access import emails, sessions
from access.models import Grant
from checkout import states
from checkout.models import Order, OrderLine
from common.text import normalise_email
from teams import claims, reminders, seat_batches, seat_guard, seat_table, seats
from teams.forms import AssignSeatForm, SeatListForm
from teams.seat_lists import MAX_SEAT_LIST_CHARS, MAX_SEAT_LIST_FILE_BYTES, SeatListUnreadable, csv_to_lines
from teams.seat_page import page as _page
from teams.seat_page import seats_url as _seats_url

# The seat list upload is the one view that takes a file part; its whole body stays under this.
MAX_SEAT_LIST_REQUEST_BYTES = MAX_SEAT_LIST_FILE_BYTES + 4 * MAX_SEAT_LIST_CHARS + 16 * 1024


@never_cache
@require_GET
@seat_guard.buyer_only
def seat_manager(request: HttpRequest, reference: str) -> HttpResponse:
    if not sessions.viewer(request):
        return redirect("access:purchases")
    return _page(request, seat_guard.order_or_404(request, reference)[0])


@never_cache
@require_GET
@seat_guard.buyer_only
def seats_csv(request: HttpRequest, reference: str) -> HttpResponse:
    order, _ = seat_guard.order_or_404(request, reference)
    out = io.StringIO()
    csv.writer(out).writerows(seat_table.csv_rows(order, seat_table.seat_rows(order)))
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="seats-{order.reference}.csv"'
    return response


def _list_text(request: HttpRequest, form: SeatListForm) -> str:
    upload = request.FILES.get("file")
    if upload is None or not upload.size:
        return form.cleaned_data["people"]
    if upload.size > MAX_SEAT_LIST_FILE_BYTES:
        raise SeatListUnreadable(f"The file is larger than {MAX_SEAT_LIST_FILE_BYTES // 1024} KB.")
    return csv_to_lines(upload.read(MAX_SEAT_LIST_FILE_BYTES + 1))


@never_cache
@require_POST
@seat_guard.buyer_only
def seat_list_upload(request: HttpRequest, reference: str) -> HttpResponse:
    """The preview of a pasted list or an uploaded CSV file: who gets which seat and which lines cannot
    have one. Assigns nothing. The only view that accepts a file part (MAX_SEAT_LIST_REQUEST_BYTES)."""
    order, _ = seat_guard.order_or_404(request, reference)
    form = SeatListForm(request.POST)
    if not form.is_valid() or not order.lines.filter(pk=form.cleaned_data["line"]).exists():
        return _page(request, order, form=form, status=400)
    try:
        text = _list_text(request, form)
        line = order.lines.get(pk=form.cleaned_data["line"])
        plan = seat_batches.plan_seat_list(
            order, line, text, include_elsewhere=form.cleaned_data["include_elsewhere"]
        )
    except SeatListUnreadable as exc:
        form.add_error(None, str(exc))
        return _page(request, order, form=form, status=400)
    if not plan.people:
        form.add_error("people", "Paste at least one person, or choose a CSV file.")
        return _page(request, order, form=form, status=400)
    confirm = SeatListForm(
        initial={
            "line": line.pk,
            "people": text,
            "include_elsewhere": plan.include_elsewhere,
            "digest": plan.digest,
        }
    )
    return _page(request, order, form=confirm, plan=plan)


# The request-body guard (config.request_body) reads these before the view runs: the list with its file may
# be larger than a form, and this is the one view that takes a file part.
seat_list_upload.max_body_bytes = MAX_SEAT_LIST_REQUEST_BYTES
seat_list_upload.accepts_file_parts = True


@never_cache
@require_POST
@seat_guard.buyer_only
def assign_seat_list(request: HttpRequest, reference: str) -> HttpResponse:
    """Assign the previewed list: read and checked again here, all or nothing."""
    order, buyer_email = seat_guard.order_or_404(request, reference)
    form = SeatListForm(request.POST)
    if not form.is_valid():
        return _page(request, order, form=form, status=400)
    try:
        plan = seat_batches.assign_seat_list(
            reference=reference,
            buyer_email=buyer_email,
            line_id=form.cleaned_data["line"],
            text=form.cleaned_data["people"],
            include_elsewhere=form.cleaned_data["include_elsewhere"],
            seen_digest=form.cleaned_data["digest"],
        )
    except (Order.DoesNotExist, OrderLine.DoesNotExist):
        raise Http404("No such order line among your purchases.") from None
    except SeatListUnreadable as exc:
        form.add_error(None, str(exc))
        return _page(request, order, form=form, status=400)
    except seat_batches.SeatListRefused as exc:
        again = SeatListForm(
            initial={
                **form.cleaned_data,
                "digest": exc.plan.digest,
                "include_elsewhere": exc.plan.include_elsewhere,
            }
        )
        messages.error(request, str(exc))
        return _page(request, order, form=again, plan=exc.plan, status=409)
    count = len(plan.placements)
    messages.success(
        request,
        f"{count} seat{'' if count == 1 else 's'} assigned. Each person gets one email with their access.",
    )
    return redirect(_seats_url(order))


@require_POST
@seat_guard.buyer_only
def remind_holders(request: HttpRequest, reference: str) -> HttpResponse:
    order, buyer_email = seat_guard.order_or_404(request, reference)
    try:
        sent = reminders.remind_holders(reference=reference, buyer_email=buyer_email)
    except reminders.RemindersRefused as exc:
        messages.warning(request, str(exc))
    else:
        messages.success(
            request, f"Reminder on its way to {len(sent)} {'person' if len(sent) == 1 else 'people'}."
        )
    return redirect(_seats_url(order))


@require_POST
@seat_guard.buyer_only
def nudge_holder(request: HttpRequest, grant_token: str) -> HttpResponse:
    """One reminder to one holder, at most once a day per seat (teams.reminders.nudge_holder)."""
    viewer = sessions.viewer(request)
    if viewer is None:
        return redirect("access:purchases")
    order = seat_guard.seat_order(grant_token, viewer.email)
    email = normalise_email(seat_guard.buyer_email(request, order))
    try:
        holder = reminders.nudge_holder(grant_token=grant_token, buyer_email=email)
    except Grant.DoesNotExist:
        raise Http404("No such seat on your orders.") from None
    except reminders.RemindersRefused as exc:
        messages.warning(request, str(exc))
    else:
        messages.success(request, f"A reminder is on its way to {holder}.")
    return redirect(_seats_url(order) if order else reverse("access:purchases"))


def _give_one(request: HttpRequest, grant_token: str, service, done: str) -> HttpResponse:
    """Assign or reassign one seat from its form; a person who holds it on another order needs a tick."""
    viewer = sessions.viewer(request)
    if viewer is None:
        return redirect("access:purchases")
    order = seat_guard.seat_order(grant_token, viewer.email)
    email = seat_guard.buyer_email(request, order)
    # Back to the seat manager of the seat's order when it is this buyer's; else the purchases page.
    back = _seats_url(order) if order else reverse("access:purchases")
    form = AssignSeatForm(request.POST)
    if not form.is_valid():
        messages.error(request, "To give a seat, enter a name and a valid email address.")
        return redirect(back)
    data = form.cleaned_data
    try:
        service(
            grant_token=grant_token,
            buyer_email=email,
            name=data["name"],
            email=data["email"],
            elsewhere_confirmed=data["confirm_elsewhere"],
        )
    except seats.SeatNotFound:
        raise Http404("No such seat on your orders.") from None
    except seats.HeldOnAnotherOrder as exc:
        context = {"warning": str(exc), "form": form, "action": request.path, "back": back}
        return render(request, "teams/seat_confirm.html", context, status=409)
    except seats.SeatUnavailable as exc:
        messages.error(request, str(exc))
        return redirect(back)
    messages.success(request, done.format(email=normalise_email(data["email"])))
    return redirect(back)


@require_POST
@seat_guard.buyer_only
def assign_seat(request: HttpRequest, grant_token: str) -> HttpResponse:
    return _give_one(
        request, grant_token, seats.assign_seat, "Seat assigned. {email} will get an email with their access."
    )


@require_POST
@seat_guard.buyer_only
def reassign_seat(request: HttpRequest, grant_token: str) -> HttpResponse:
    return _give_one(
        request,
        grant_token,
        seats.reassign_seat,
        "Seat given to {email}, who will get an email with their access; its previous holder is told it "
        "went to someone else.",
    )


@require_POST
@seat_guard.buyer_only
def take_claim_link(request: HttpRequest, grant_token: str) -> HttpResponse:
    """Show a free seat's claim link to send (recorded: a pasted list then fills other seats first)."""
    viewer = sessions.viewer(request)
    if viewer is None:
        return redirect("access:purchases")
    order = seat_guard.seat_order(grant_token, viewer.email)
    try:
        seat = claims.take_claim_link(
            grant_token=grant_token, buyer_email=seat_guard.buyer_email(request, order)
        )
    except seats.SeatNotFound:
        raise Http404("No such seat on your orders.") from None
    except seats.SeatUnavailable as exc:
        messages.error(request, str(exc))
        return redirect(_seats_url(order))
    return redirect(f"{_seats_url(order)}#seat-{seat[0].line_id}-{seat[0].seat}")


@require_POST
@seat_guard.buyer_only
def resend_access_email(request: HttpRequest, grant_token: str) -> HttpResponse:
    """The buyer sends a holder's access email again: at most once a day per seat (the purpose holds the
    date, so more clicks that day change nothing)."""
    viewer = sessions.viewer(request)
    if viewer is None:
        return redirect("access:purchases")
    email = seat_guard.buyer_email(request, seat_guard.seat_order(grant_token, viewer.email))
    grant = (
        Grant.objects.filter(token=grant_token, order__email=normalise_email(email), state=Grant.State.ACTIVE)
        .exclude(order__email="")
        .exclude(holder_email="")
        .select_related("order")
        .first()
    )
    if grant is None:
        raise Http404("No such seat on your orders.")
    day = timezone.localdate().strftime("%y%m%d")
    emails.send_access_given_email.enqueue(grant.line_id, grant.seat, resend=f"d{day}")
    states.note(grant.order, "access", f"Access email resent to {grant.holder_email}.", source="buyer")
    messages.success(request, f"The access email is on its way to {grant.holder_email} again.")
    return redirect(_seats_url(grant.order.adds_seats_to or grant.order))
