"""The public certificate pages: `/verify/<code>/` for one certificate, `/verify/` to look one up by its
code (rate-limited per client, as are codes tried in the address that are not one, and saying only "not
found" for a code that is not one), and the holder's
POST from their purchases page that hides or shows their page."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access import sessions
from common import throttle
from common.client_ip import client_ip
from learning import summary_opt_out as summary_opt_out_links
from learning import verification
from learning.models import Certificate

LOOKUPS_PER_WINDOW = 20
LOOKUP_WINDOW_SECONDS = 15 * 60


def _too_many(request: HttpRequest) -> bool:
    """One more check from this client; True once it made more than LOOKUPS_PER_WINDOW in the window."""
    key = f"learning:verify:ip:{client_ip(request)}"
    return throttle.count(key, LOOKUP_WINDOW_SECONDS) > LOOKUPS_PER_WINDOW


def _throttled(request: HttpRequest, code: str) -> HttpResponse:
    context = {"code": code, "throttled": True, "minutes": LOOKUP_WINDOW_SECONDS // 60}
    return render(request, "learning/lookup.html", context, status=429)


@require_GET
def certificate_page(request: HttpRequest, code: str) -> HttpResponse:
    certificate = verification.find(code)
    if certificate is None:
        # Guessing codes in the address counts against the same limit as the lookup form.
        if _too_many(request):
            return _throttled(request, code[:64])
        return render(request, "learning/lookup.html", {"code": code[:64], "not_found": True}, status=404)
    context = {"certificate": certificate}
    if certificate.hidden_at is None:
        context |= {
            "json_ld": verification.json_ld(certificate),
            "linkedin_url": verification.linkedin_url(certificate),
        }
    return render(request, "learning/certificate.html", context)


@require_GET
def lookup(request: HttpRequest) -> HttpResponse:
    code = " ".join(request.GET.get("code", "")[:64].split())
    if not code:
        return render(request, "learning/lookup.html", {"code": ""})
    if _too_many(request):
        return _throttled(request, code)
    if verification.find(code) is None:
        # A search that found nothing, not a missing page: the form is there to try again.
        return render(request, "learning/lookup.html", {"code": code, "not_found": True})
    return redirect("learning:verify", code=code)


@require_POST
def certificate_visibility(request: HttpRequest, code: str) -> HttpResponse:
    viewer = sessions.viewer(request)
    if viewer is None:
        return redirect("access:purchases")
    hidden = request.POST.get("public") != "yes"
    try:
        verification.set_hidden(code=code, holder_email=viewer.email, hidden=hidden)
    except Certificate.DoesNotExist:
        raise Http404("No such certificate of yours.") from None
    messages.success(
        request,
        "Your certificate page now says only that it is not public."
        if hidden
        else "Your certificate page is public again.",
    )
    return redirect("access:purchases")


@require_http_methods(["GET", "POST"])
def summary_opt_out(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the button; POST stops the weekly summary of that order's seats."""
    order = summary_opt_out_links.order_of(token)
    if order is None:
        context = {"invalid": True}
        return render(request, "learning/summary_opt_out.html", context, status=404)
    done = summary_opt_out_links.opted_out(order)
    if request.method == "POST" and not done:
        summary_opt_out_links.opt_out(order)
        done = True
    return render(request, "learning/summary_opt_out.html", {"order": order, "done": done})
