"""gunicorn starts from config/gunicorn.conf.py with the production settings and logs requests as JSON."""

import json
import time
import urllib.request

from tests.gunicorn_server import running_gunicorn


def access_lines(log: str) -> list[dict]:
    entries = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    return [entry for entry in entries if entry["logger"] == "access"]


def test_gunicorn_serves_healthz_and_logs_one_json_line_per_request(tmp_path):
    with running_gunicorn(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}") as server:
        with urllib.request.urlopen(f"{server.url}/healthz?token=s3cret", timeout=10) as response:
            assert response.status == 200
            assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")

        deadline = time.monotonic() + 10
        while not access_lines(server.log()) and time.monotonic() < deadline:
            time.sleep(0.05)
        log = server.log()

    access = access_lines(log)
    assert len(access) == 1
    assert (access[0]["path"], access[0]["status"]) == ("/healthz", 200)
    assert "s3cret" not in log
