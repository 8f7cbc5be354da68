"""The answer to a browser signed in for one order (access.sessions) that asks for more than that order:
the buyer's other orders or handing out seats need a full sign-in, through a link emailed to the address."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from access.sessions import Viewer


def full_sign_in_needed(request: HttpRequest, viewer: Viewer, doing: str) -> HttpResponse:
    """403 with one button that emails a sign-in link to the signed-in address (never another one)."""
    context = {"email": viewer.email, "doing": doing}
    return render(request, "access/full_sign_in.html", context, status=403)
