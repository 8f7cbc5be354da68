"""No log line carries a link that grants access: tokens in paths and query strings are written as …, in
gunicorn's access log and in every line Django logs."""

import contextlib
import json
import logging
import re
import time
import urllib.error
import urllib.request

import pytest
from django.conf import settings
from django.core import signing
from django.urls import URLPattern, URLResolver, get_resolver

from config.logging import JsonFormatter, redact_links
from tests.gunicorn_server import running_gunicorn

SECRET = "S3cretT0ken"


def routes(patterns=None, prefix: str = "/") -> list[str]:
    """Every URL pattern of the site as a route string, e.g. `/purchases/sign-in/<str:token>/`."""
    found = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            found += routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            found.append(prefix + str(entry.pattern))
    return found


PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")
# Ways a path can be spelled that Django does not resolve (a 404, logged with the path as typed) or that the
# server decodes before resolving: other letter case, doubled slashes, percent-encoded letters and slashes.
SPELLINGS = {
    "as routed": lambda literal: literal,
    "upper case": str.upper,
    "mixed case": str.swapcase,
    "capitalised": lambda literal: "/".join(part.capitalize() for part in literal.split("/")),
    "doubled slashes": lambda literal: literal.replace("/", "//"),
    "percent-encoded": lambda literal: "".join(f"%{ord(c):02X}" if c.isalpha() else c for c in literal),
    "encoded slashes": lambda literal: literal.strip("/").replace("/", "%2f").join("//"),
}


def spelled(route: str, spelling) -> str:
    """`route` with its token parameters set to SECRET (others to x) and its literal parts respelled."""
    parts = PARAMETER.split(route)  # literal, parameter name, literal, …
    return "".join(
        (SECRET if "token" in part else "x") if index % 2 else spelling(part)
        for index, part in enumerate(parts)
    )


@pytest.mark.parametrize("spelling", SPELLINGS.values(), ids=SPELLINGS.keys())
def test_every_route_whose_parameter_is_a_token_is_redacted_however_it_is_spelled(spelling):
    token_routes = [route for route in routes() if re.search(r"<(?:\w+:)?\w*token\w*>", route)]

    assert len(token_routes) >= 7  # sign-in, open, download, pay-request, a seat, its reassign form, claim
    for route in token_routes:
        path = spelled(route, spelling)
        assert SECRET not in redact_links(path), path
        assert SECRET not in redact_links(f"Not Found: {path}"), path


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/purchases/sign-in/eyJuIjoi:1abc:sig/", "/purchases/sign-in/…/"),
        ("/purchases/seats/abc123/reassign/", "/purchases/seats/…/reassign/"),
        ("Not Found: /access/download/tok-en_1:2:3", "Not Found: /access/download/…"),
        (
            "GET /checkout/success/?session_id=cs_test_abc&x=1 HTTP/1.1",
            "GET /checkout/success/?session_id=…&x=1 HTTP/1.1",
        ),
        ("/products/level-i/?quantity=3", "/products/level-i/?quantity=3"),
        ("order CPMA-000042: pending -> paid", "order CPMA-000042: pending -> paid"),
        ("Not Found: /Purchases/open/tok3n/", "Not Found: /Purchases/open/…/"),
        ("GET /PURCHASES/SIGN-IN/tok3n/ 404", "GET /PURCHASES/SIGN-IN/…/ 404"),
        ("/purchases//claim//tok3n/", "/purchases//claim//…/"),
        ("bad request line %2Fpurchases%2Fopen%2Ftok3n", "bad request line %2Fpurchases%2Fopen%2F…"),
        ("/purchases/orders/CPMA-000042/seats/", "/purchases/orders/CPMA-000042/seats/"),
    ],
)
def test_tokens_in_paths_and_queries_are_written_as_an_ellipsis(text, expected):
    assert redact_links(text) == expected


def test_a_django_log_line_about_a_link_is_redacted_in_message_fields_and_traceback():
    try:
        raise ValueError(f"could not open /purchases/claim/{SECRET}/")
    except ValueError:
        record = logging.getLogger("django.request").makeRecord(
            "django.request",
            logging.ERROR,
            __file__,
            1,
            "Internal Server Error: %s",
            (f"/purchases/sign-in/{SECRET}/",),
            exc_info=__import__("sys").exc_info(),
            extra={"path": f"/access/download/{SECRET}/"},
        )

    line = JsonFormatter().format(record)

    assert SECRET not in line
    assert json.loads(line)["message"] == "Internal Server Error: /purchases/sign-in/…/"


def test_gunicorn_logs_no_token_of_the_links_it_served(tmp_path):
    def signed(salt: str, value: dict) -> str:
        return signing.TimestampSigner(salt=salt).sign_object({**value, "secret": SECRET})

    sign_in, download, claim = (
        signed("access.sign-in", {"n": "nonce"}),
        signed("access.download", {"g": 1, "f": 1, "h": "x"}),
        signed("access.claim", {"l": 1, "s": 1}),
    )
    paths = [
        ("GET", f"/purchases/sign-in/{sign_in}/"),
        ("POST", f"/purchases/sign-in/{sign_in}/"),
        ("GET", f"/access/download/{download}/"),
        ("GET", f"/purchases/claim/{claim}/"),
        ("POST", f"/purchases/seats/{SECRET}/reassign/"),
        ("GET", f"/checkout/success/?session_id=cs_test_{SECRET}"),
        ("GET", f"/access/download/{SECRET}"),  # no trailing slash: a redirect whose Location holds it
    ]
    # The same key as this process, so the links are genuine and reach the database (which has no tables
    # here: the errors Django logs about them are checked too).
    with running_gunicorn(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", SECRET_KEY=settings.SECRET_KEY
    ) as server:
        for method, path in paths:
            request = urllib.request.Request(
                server.url + path, method=method, data=b"" if method == "POST" else None
            )
            with contextlib.suppress(urllib.error.HTTPError):
                urllib.request.urlopen(request, timeout=20).close()
        deadline = time.monotonic() + 10
        while server.log().count('"logger": "access"') < len(paths) and time.monotonic() < deadline:
            time.sleep(0.05)
        log = server.log()

    access = [json.loads(line) for line in log.splitlines() if '"logger": "access"' in line]
    assert len(access) >= len(paths)
    assert "/purchases/sign-in/…/" in {entry["path"] for entry in access}
    assert SECRET not in log
    for token in (sign_in, download, claim, *(token.split(":")[0] for token in (sign_in, download, claim))):
        assert token not in log
