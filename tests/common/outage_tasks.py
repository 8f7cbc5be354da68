"""Tasks for the worker outage tests, run by real `db_worker` processes: each leaves a file behind, so the
test sees what ran without sharing a transaction with the worker."""

import time
from pathlib import Path

from common.tasks import retrying_task


@retrying_task
def touch(folder: str, name: str, seconds: float = 0.0) -> str:
    """Take `seconds`, then mark `name` done (idempotent: a second run finds the mark)."""
    time.sleep(seconds)
    (Path(folder) / name).write_text("done")
    return "done"


@retrying_task
def hang_the_first_time(folder: str) -> str:
    """The first run marks itself started and hangs (its worker is killed meanwhile); a later run finishes."""
    started = Path(folder) / "started"
    if not started.exists():
        started.write_text("started")
        time.sleep(120)
    (Path(folder) / "done").write_text("done")
    return "done"


@retrying_task
def start_then_finish(folder: str, name: str, seconds: float) -> str:
    """Mark `name` started, take `seconds` (the database goes away meanwhile), then note one more run."""
    (Path(folder) / f"{name}.started").write_text("started")
    time.sleep(seconds)
    with (Path(folder) / f"{name}.runs").open("a") as runs:
        runs.write("ran\n")
    return "done"
