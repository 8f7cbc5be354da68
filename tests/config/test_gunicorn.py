"""gunicorn starts from config/gunicorn.conf.py with the production settings and logs requests as JSON."""

import json
import os
import re
import secrets
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")


@pytest.fixture
def gunicorn(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SECURE_", "PUBLIC_"))}
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        SECURE_SSL_REDIRECT="false",
        WEB_CONCURRENCY="1",
        GUNICORN_BIND="127.0.0.1:0",
    )
    stdout = (tmp_path / "stdout").open("w+")
    process = subprocess.Popen(
        [str(GUNICORN), "--config", "config/gunicorn.conf.py", "config.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        port = None
        while port is None and time.monotonic() < deadline:
            line = process.stderr.readline()
            found = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", line)
            port = found and int(found.group(1))
        assert port, "gunicorn did not start"
        yield f"http://127.0.0.1:{port}", stdout
    finally:
        process.terminate()
        process.wait(timeout=20)
        stdout.close()


def test_gunicorn_serves_healthz_and_logs_one_json_line_per_request(gunicorn):
    base, stdout = gunicorn
    with urllib.request.urlopen(f"{base}/healthz?token=s3cret", timeout=10) as response:
        assert response.status == 200
        assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")

    deadline = time.monotonic() + 10
    access = []
    while not access and time.monotonic() < deadline:
        stdout.seek(0)
        lines = [json.loads(line) for line in stdout.read().splitlines() if line.startswith("{")]
        access = [line for line in lines if line["logger"] == "access"]
        time.sleep(0.05)

    assert len(access) == 1
    assert (access[0]["path"], access[0]["status"]) == ("/healthz", 200)
    stdout.seek(0)
    assert "s3cret" not in stdout.read()
