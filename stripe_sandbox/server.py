"""The HTTP side of the fake: a threaded server on 127.0.0.1 whose handler reads each request, sends `/v1/`
to the API (api.py) and everything else to the buyer's pages (checkout_page.py), and plays the failures a
test asked for (`fail_next`) instead of answering."""

import json
import secrets
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from stripe_sandbox import api, checkout_page
from stripe_sandbox.params import decode_form
from stripe_sandbox.state import RecordedRequest, Store, error


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        """A client that gave up (timeout tests) leaves a broken pipe behind; that is expected."""


class _Handler(BaseHTTPRequestHandler):
    stripe: Store
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; without TCP_NODELAY, Nagle's algorithm holds the body back
    # until the client's delayed ACK (about 40 ms on Linux), which made every fake call take that long.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output clean."""

    def _page(self, path: str, body: str) -> None:
        status, page, location = checkout_page.answer(self.stripe, self.command, path, body)
        data = page.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        if location:
            self.send_header("Location", location)
        self.end_headers()
        self.wfile.write(data)

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        parts = urlsplit(self.path)
        if not parts.path.startswith("/v1/"):
            self._page(parts.path, body)
            return
        request = RecordedRequest(
            method=self.command,
            path=parts.path,
            query=parts.query,
            headers=dict(self.headers.items()),
            body=body,
            form=decode_form(body) if body else {},
        )
        failure = self.stripe._record(request)
        if failure == "timeout":
            self.stripe._stopping.wait(self.stripe.timeout_delay)
            status, payload, extra = 500, error("Timed out.", error_type="api_error"), {}
        elif failure == "500":
            status, payload, extra = (
                500,
                error("Something went wrong on Stripe's end.", error_type="api_error"),
                {},
            )
        elif failure == "card_error":
            status, payload, extra = (
                402,
                error("Your card was declined.", code="card_declined", error_type="card_error"),
                {},
            )
        else:
            status, payload, extra = api.answer(self.stripe, request)
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Request-Id", f"req_{secrets.token_hex(7)}")
            for name, value in extra.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            pass

    do_GET = _handle
    do_POST = _handle
    do_DELETE = _handle
