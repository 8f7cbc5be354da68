"""Start real gunicorn processes with the production settings, for tests that need separate app servers
(the JSON access log, or two instances fulfilling the same Stripe event against one PostgreSQL database).

    with running_gunicorn(DATABASE_URL=...) as server:
        urllib.request.urlopen(f"{server.url}/healthz")
        server.log()  # what it wrote to stdout so far
"""

import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = Path(sys.executable).with_name("gunicorn")


@dataclass
class GunicornServer:
    url: str
    stdout_path: Path

    def log(self) -> str:
        return self.stdout_path.read_text()


@contextmanager
def running_gunicorn(**env_overrides: str) -> Iterator[GunicornServer]:
    """One gunicorn (one worker unless WEB_CONCURRENCY says otherwise) on 127.0.0.1 and a free port."""
    # The test environment's relaxations (page cache off, https redirect off...) are not passed on.
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SECURE_", "PUBLIC_"))}
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        WEB_CONCURRENCY="1",
        GUNICORN_BIND="127.0.0.1:0",
    )
    env.update(env_overrides)
    with tempfile.TemporaryDirectory() as tmp:
        stdout_path = Path(tmp) / "stdout.log"
        with stdout_path.open("w") as stdout:
            process = subprocess.Popen(
                [str(GUNICORN), "--config", "config/gunicorn.conf.py", "config.wsgi"],
                cwd=ROOT,
                env=env,
                stdout=stdout,
                stderr=subprocess.PIPE,
                text=True,
            )
            try:
                yield GunicornServer(url=_wait_for_address(process), stdout_path=stdout_path)
            finally:
                process.terminate()
                process.wait(timeout=20)
                process.stderr.close()


def _wait_for_address(process: subprocess.Popen) -> str:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line and process.poll() is not None:
            break
        found = re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", line)
        if found:
            return found.group(1)
    process.kill()
    raise RuntimeError("gunicorn did not start: " + (process.stderr.read() or "no output"))
