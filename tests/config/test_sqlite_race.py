"""`make run` on SQLite: the success page reloaded while a worker process fulfils the same order, 20 times,
on a real database file, never shows a 500 or "database is locked" (config/settings.py: busy timeout,
IMMEDIATE transactions, WAL). Without those options the same run fails in most rounds
(`python -m tests.sqlite_race harness --db /tmp/x.sqlite3 --plain`)."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_success_page_and_worker_racing_on_one_sqlite_file_never_fail(tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "tests.sqlite_race", "harness", "--db", str(tmp_path / "race.sqlite3")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )

    summary = json.loads(next(line for line in run.stdout.splitlines() if line.startswith('{"rounds"')))
    print(f"SQLite race: {summary['rounds']} rounds, {summary['success_page_loads']} success page loads")
    assert summary["problems"] == []
    assert summary["rounds"] == 20 and summary["journal_mode"] == "wal"
    assert run.returncode == 0
