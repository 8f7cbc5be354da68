"""The claim link a buyer sends for an unassigned seat: the page names who gave the seat and takes the
recipient's name and address. Anyone may type any address, so a claim signs nobody in: the address gets
its access email (teams.seats gives the seat like every other), whose personal link opens its access."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from access import links, tasks
from access.models import Grant
from catalog.models import Product
from checkout.models import Order
from common.text import normalise_email
from teams import claims, seats
from teams.forms import AssignSeatForm


def _claim_problem(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    context = {"title": title, "message": message, "contact_email": settings.SITE_CONTACT_EMAIL}
    return render(request, "teams/claim_problem.html", context, status=status)


def _had_purchases(email: str, seat: list[Grant]) -> bool:
    """Whether the address held or bought anything before this claim: it gets a sign-in link as well, for
    all of it (its access email opens only this order)."""
    mine = {g.pk for g in seat}
    holds_other = Grant.objects.filter(holder_email=email).exclude(pk__in=mine).exists()
    return holds_other or Order.objects.filter(email=email).exists()


@never_cache
@require_http_methods(["GET", "POST"])
def claim_seat(request: HttpRequest, token: str) -> HttpResponse:
    """A claim link the buyer sent: GET shows who gave what and a form; the POST takes the seat for the
    address typed, which is emailed its access. The browser is not signed in: it proved no address."""
    try:
        line_id, seat_number = claims.read_claim_token(token)
        seat = claims.claimable_seat(line_id, seat_number)
    except links.LinkExpired:
        return _claim_problem(
            request, 410, "This claim link has expired", "Claim links work for a limited time."
        )
    except (links.LinkInvalid, seats.SeatNotFound):
        return _claim_problem(
            request, 400, "This claim link is not valid", "It may have been cut short or altered."
        )
    except seats.SeatClaimed:
        return _claim_problem(
            request,
            410,
            "This seat has been claimed",
            "Each claim link gives its seat once. If the seat is yours, sign in to your purchases page.",
        )
    except seats.SeatUnavailable as exc:
        return _claim_problem(
            request, 410, "This seat is no longer available", f"{exc} Its seats give no access."
        )
    order = seat[0].order
    form = AssignSeatForm(request.POST if request.method == "POST" else None)
    context = {
        "form": form,
        "seat": seat,
        "order": order,
        "product_name": seat[0].line.product_name,
        "has_course": any(grant.product.kind == Product.Kind.COURSE for grant in seat),
    }
    if request.method == "GET" or not form.is_valid():
        return render(request, "teams/claim.html", context, status=400 if request.method == "POST" else 200)
    email = normalise_email(form.cleaned_data["email"])
    try:
        claims.claim_seat(
            line_id=line_id, seat_number=seat_number, name=form.cleaned_data["name"], email=email
        )
    except seats.SeatAlreadyHeld:
        # The same answer as a claim: the page must not tell whoever holds the link which addresses hold a
        # seat. The address is sent its own access email again, and the link still gives its seat.
        claims.resend_to_holder(line_id, email)
    except seats.SeatClaimed:
        return _claim_problem(
            request, 410, "This seat has been claimed", "Each claim link gives its seat once."
        )
    except seats.SeatUnavailable:
        return _claim_problem(
            request, 410, "This seat is no longer available", "The order no longer gives access."
        )
    if _had_purchases(email, seat):
        tasks.send_sign_in_link.enqueue(email)
    # One page whatever the address held or bought before (it says what happens in either case).
    return render(request, "teams/claimed.html", {"email": email})
