"""The Content-Security-Policy header, built from settings on every response; requests whose path, query or
form holds a control character refused before anything reads them."""

from django.conf import settings
from django.http import HttpResponseBadRequest

from common.text import CONTROL_CHARACTERS, FORM_CONTROL_CHARACTERS


def content_security_policy() -> str:
    directives = {name: list(sources) for name, sources in settings.CONTENT_SECURITY_POLICY.items()}
    # The checkout form POSTs to us and we answer 303 to Stripe; browsers check that redirect too.
    if settings.STRIPE_CHECKOUT_ORIGIN:
        directives.setdefault("form-action", []).append(settings.STRIPE_CHECKOUT_ORIGIN)
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.DEBUG and response.status_code >= 400:
            return response  # Django's debug error pages are built from inline styles and scripts
        response.headers.setdefault("Content-Security-Policy", content_security_policy())
        return response


class RefuseControlCharactersMiddleware:
    """A query parameter or form field holding NUL or another control character is a 400 with a message,
    before any view or form sees it (no legitimate browser input contains them)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # An oversized body raises RequestDataTooBig here, which Django answers with a 400.
        fields = [*request.GET.lists(), *(request.POST.lists() if request.method == "POST" else [])]
        for name, values in fields:
            if any(FORM_CONTROL_CHARACTERS.search(text) for text in [name, *values]):
                return HttpResponseBadRequest(
                    "A form field or link parameter contains a control character (such as NUL). "
                    "Please retype it and try again.",
                    content_type="text/plain; charset=utf-8",
                )
        return self.get_response(request)


class RefuseControlCharactersInPathMiddleware:
    """A path holding NUL or another control character (C0, DEL, C1; `%00` decoded) is a 400 with a message,
    on every route and before any redirect, cache lookup or view: no URL of the site has one, and PostgreSQL
    refuses NUL in a query. One place for every captured segment, so no view has to check its own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if CONTROL_CHARACTERS.search(request.path_info):
            return HttpResponseBadRequest(
                "The address contains a control character (such as NUL). Please check the link and try again.",
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)
