"""With DEBUG on, the error page names no settings and no environment: database, cache and email URLs
carry passwords under names Django's own filter does not recognise (config/error_reports.py)."""

import sys

from django.test import RequestFactory
from django.views.debug import technical_500_response


def error_page(request) -> str:
    """Django's DEBUG page for an error raised here (its traceback shows only this function's lines)."""
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        return technical_500_response(request, *sys.exc_info()).content.decode()


def test_the_debug_error_page_lists_no_settings_and_no_environment(settings):
    settings.DEBUG = True
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": "redis://:cache-pass@redis"}}
    settings.ADMIN_URL = "hidden-admin-door/"
    request = RequestFactory().get(
        "/checkout/success/",
        HTTP_COOKIE="sessionid=secret-session",
        HTTP_USER_AGENT="Firefox",
        DATABASE_URL="postgres://app:db-pass@db/cpma",
        EMAIL_URL="smtp://mailer:mail-pass@smtp.example.com:587",
    )

    page = error_page(request)

    assert "RuntimeError" in page and "Firefox" in page  # still useful for the developer
    for secret in (
        "db-pass",
        "mail-pass",
        "cache-pass",
        "secret-session",
        "hidden-admin-door",
        settings.SECRET_KEY,
    ):
        assert secret not in page
    for name in ("ADMIN_URL", "STRIPE_API_BASE", "DATABASE_URL", "EMAIL_URL"):
        assert name not in page
