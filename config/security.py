"""The Content-Security-Policy header, built from settings on every response."""

from django.conf import settings


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
