"""What Django's DEBUG error page (and the error emails to ADMINS) may show about the server.

Django's own filter hides settings whose names look secret (KEY, TOKEN, PASSWORD...), but not values that
carry secrets under other names: DATABASE_URL, CACHE_URL and EMAIL_URL hold passwords in their URLs, and
under runserver every environment variable is part of request.META. A DEBUG server reachable from a café's
network would print them all. So the page lists no settings at all, and of request.META only the request's
own fields and its HTTP headers (with cookies hidden)."""

from django.views.debug import SafeExceptionReporterFilter

REQUEST_FIELDS = frozenset(
    {
        "REQUEST_METHOD",
        "PATH_INFO",
        "QUERY_STRING",
        "CONTENT_TYPE",
        "CONTENT_LENGTH",
        "SERVER_NAME",
        "SERVER_PORT",
    }
)
HIDDEN_HEADERS = frozenset(
    {"HTTP_COOKIE", "HTTP_AUTHORIZATION", "HTTP_STRIPE_SIGNATURE", "HTTP_CPMA_SIGNATURE"}
)


class NoSettingsReporterFilter(SafeExceptionReporterFilter):
    def get_safe_settings(self) -> dict:
        return {}

    def get_safe_request_meta(self, request) -> dict:
        return {
            name: (self.cleansed_substitute if name in HIDDEN_HEADERS else value)
            for name, value in request.META.items()
            if name in REQUEST_FIELDS or name.startswith("HTTP_")
        }
