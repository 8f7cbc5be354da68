"""A tiny local HTTP server that plays recorded registry answers (tests/tax/recordings/) to the real VIES
and HMRC clients, pointed at it through VIES_BASE_URL and HMRC_BASE_URL: the clients run unchanged."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from tax import hmrc
from tests.checkout.conftest import fake_stripe, stripe_server  # noqa: F401  (fixtures used by these tests)

RECORDINGS = Path(__file__).parent / "recordings"
HMRC_TOKEN = "/hmrc/oauth/token"


class Registry:
    def __init__(self) -> None:
        self.routes: dict[str, str | None] = {}  # path -> recording name (None: hang past the timeout)
        self.requests: list[tuple[str, dict[str, str]]] = []
        # Form POSTs (HMRC's token endpoint): path and the fields sent.
        self.posted: list[tuple[str, dict[str, list[str]]]] = []

    def play(self, path: str, recording: str | None) -> None:
        self.routes[path] = recording


@pytest.fixture
def registry_server(settings):
    registry = Registry()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            registry.posted.append((self.path, parse_qs(self.rfile.read(length).decode())))
            self.do_GET(record=False)

        def do_GET(self, record=True):
            if record:
                registry.requests.append((self.path, dict(self.headers)))
            if self.path not in registry.routes:
                self.send_error(599, "no recording for this path")
                return
            name = registry.routes[self.path]
            if name is None:
                time.sleep(1.5)
                return
            recording = json.loads((RECORDINGS / f"{name}.json").read_text())
            body = json.dumps(recording["body"]).encode()
            self.send_response(recording["status"])
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    settings.TAX_ID_REGISTRY = "live"
    settings.VIES_BASE_URL = f"{base}/vies"
    settings.HMRC_BASE_URL = f"{base}/hmrc"
    settings.HMRC_CLIENT_ID = "test-client"
    settings.HMRC_CLIENT_SECRET = "test-secret"
    settings.HMRC_OAUTH_SCOPE = "read:vat"
    registry.play(HMRC_TOKEN, "hmrc_token")  # HMRC's client credentials grant answers unless a test says not
    hmrc.forget_token(hmrc._token.value)  # each test starts without a kept token
    settings.TAX_ID_REGISTRY_TIMEOUT_SECONDS = 0.5
    yield registry
    hmrc.forget_token(hmrc._token.value)
    server.shutdown()
    server.server_close()
