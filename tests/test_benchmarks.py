"""Every benchmark in scripts/ still runs: each in its quick mode (a few seconds; floors reported, not
enforced), so a script that stops starting fails CI instead of the day someone needs its figures. The full
runs stay manual (docs/development.md "Benchmarks").

The PostgreSQL benchmarks start together (each in its own throwaway database on the test server) and each
test waits for its own; bench_downloads.py and bench_reconcile.py make their own SQLite databases whatever the suite
runs on, so they run in the SQLite pass only.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 300
ON_POSTGRESQL = connection.vendor == "postgresql"
postgresql_only = pytest.mark.skipif(
    not ON_POSTGRESQL, reason="this benchmark measures PostgreSQL; it runs in the PostgreSQL pass"
)


def server_url(database: str) -> str:
    """The test run's PostgreSQL server, with another database name."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or '5432'}/{database}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def script_environment(**overrides: str) -> dict[str, str]:
    """The environment a developer's shell would give the script: none of the test suite's relaxations
    (page cache off, local-memory cache, the test database)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SECURE_", "PUBLIC_", "BENCH_"))
        and key not in ("DATABASE_URL", "CACHE_URL", "DJANGO_SETTINGS_MODULE")
    }
    env.update(overrides)
    return env


def wrk_available() -> bool:
    if shutil.which("wrk"):
        return True
    if os.environ.get("REQUIRE_WRK") == "1":
        pytest.fail("wrk is not installed and REQUIRE_WRK=1 (.ci/run installs it)")
    return False


def commands(workdir: Path) -> dict[str, tuple[list[str], dict[str, str]]]:
    """name -> (command, environment) of each quick run this pass makes."""
    python = sys.executable
    if not ON_POSTGRESQL:
        return {
            "downloads": ([python, "scripts/bench_downloads.py", "--quick"], script_environment()),
            "reconcile": ([python, "scripts/bench_reconcile.py", "--quick"], script_environment()),
        }
    tag = f"ci_{os.getpid()}"
    export_url = server_url(f"{tag}_export_bench")
    runs = {
        "export": (
            [python, "scripts/bench_export.py", "--quick", "--database-url", export_url],
            script_environment(),
        ),
        "webhooks": (
            [python, "scripts/bench_webhooks.py", "--quick"],
            script_environment(DATABASE_URL=server_url(f"{tag}_webhooks")),
        ),
    }
    if wrk_available():
        runs["pages"] = (
            ["scripts/bench_pages.sh", "--quick"],
            script_environment(
                BENCH_DB=f"{tag}_pages_bench",
                BENCH_PORT=str(free_port()),
                CACHE_URL=f"filecache://{workdir / 'page-cache'}",
            ),
        )
    return runs


@pytest.fixture(scope="module")
def quick_runs() -> Iterator[dict[str, tuple[subprocess.Popen, Path]]]:
    """Start every quick run of this pass at once; yield name -> (process, its output file)."""
    with tempfile.TemporaryDirectory(prefix="bench_quick_") as tmp:
        workdir = Path(tmp)
        started: dict[str, tuple[subprocess.Popen, Path]] = {}
        try:
            for name, (command, env) in commands(workdir).items():
                output = workdir / f"{name}.log"
                with output.open("w") as handle:
                    process = subprocess.Popen(
                        command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, text=True
                    )
                started[name] = (process, output)
            yield started
        finally:
            for process, _ in started.values():
                if process.poll() is None:
                    process.terminate()
                    process.wait(timeout=30)


def finished(quick_runs, name: str) -> str:
    """Wait for one quick run; its output, after checking that it exited 0."""
    if name not in quick_runs:
        pytest.skip("wrk is not installed (.ci/run installs it; apt-get install wrk)")
    process, output = quick_runs[name]
    try:
        code = process.wait(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail(f"{name}: still running after {TIMEOUT} s:\n{output.read_text()[-3000:]}")
    text = output.read_text()
    assert code == 0, f"{name} exited {code}:\n{text[-4000:]}"
    return text


@pytest.mark.skipif(
    ON_POSTGRESQL, reason="bench_downloads.py uses its own SQLite database; the SQLite pass runs it"
)
def test_the_download_benchmark_runs_and_prints_its_figures(quick_runs):
    text = finished(quick_runs, "downloads")

    assert re.search(r"^\s+1 MB\s+2\s+\d+\s+\d+\s+[\d.]+ MB\s+[\d.]+ MB\s+all$", text, re.MULTILINE), text


@pytest.mark.skipif(
    ON_POSTGRESQL, reason="bench_reconcile.py uses its own SQLite database; the SQLite pass runs it"
)
def test_the_reconcile_benchmark_counts_the_calls_of_both_passes(quick_runs):
    text = finished(quick_runs, "reconcile")

    row = re.search(r"^\s+100\s+([\d,]+)\s+[\d.]+\s+[\d.]+ m\s+([\d,]+)\s+[\d.]+\s+\d+\s+\d+$", text, re.M)
    assert row, text
    sweep_calls, events_calls = (int(group.replace(",", "")) for group in row.groups())
    assert sweep_calls >= 200 and events_calls < 5, (
        "the sweep syncs every order; the events pass reads a page"
    )


@postgresql_only
def test_the_export_benchmark_runs_and_prints_its_ratio_to_copy(quick_runs):
    text = finished(quick_runs, "export")

    assert re.search(r"COPY of the export's query: 1,\d{3} rows .* = [\d,]+ rows/s", text), text
    assert re.search(r"orders export: 1,\d{3} rows .* = [\d,]+ rows/s = \d+\.\d\d of COPY", text), text
    assert re.search(r"transactions export: [\d,]+ rows .* = [\d,]+ rows/s", text), text
    assert "dropped" in text


@postgresql_only
def test_the_webhook_benchmark_runs_and_its_checks_pass(quick_runs):
    text = finished(quick_runs, "webhooks")

    assert re.search(r"first deliveries: 20 in [\d.]+ s = \d+ events/s", text), text
    assert re.search(r"tasks: \d+ run in [\d.]+ s", text), text
    assert "[FAIL]" not in text and text.count("[ok]") >= 7
    assert "dropped throwaway database" in text


@postgresql_only
def test_the_page_benchmark_starts_the_site_and_measures_every_target(quick_runs):
    text = finished(quick_runs, "pages")

    number = r"\s+[\d.]+"
    for target in [
        r"/static/css/site\.\w+\.css \(static\)",
        "/",
        "/film-tv-production/",
        "/products/bundle/",
        "/faq/",
    ]:
        assert re.search(rf"^{target}{number * 7}\s+(PASS|FAIL)$", text, re.MULTILINE), (target, text)
    assert re.search(
        r"^POST /checkout/start/ \(303\)(\s+[\d.]+){6}\s+-\s+(PASS|FAIL)$", text, re.MULTILINE
    ), text
