"""Real `db_worker` processes against PostgreSQL survive what production throws at them: the database gone
for 15 s, busy connections killed every 2 s, a worker killed mid-task. Nobody restarts anything by hand.

The outage is a TCP proxy in front of PostgreSQL that the test cuts and restores (stopping the server
itself would also stop the test's own connection)."""

import contextlib
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from tests.common import outage_tasks

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="worker processes sharing one database need PostgreSQL"
    ),
]

ROOT = Path(__file__).resolve().parents[2]


class CuttableProxy:
    """Forwards 127.0.0.1:<port> to PostgreSQL until `cut()`: then every connection is dropped and new ones
    are refused, until `restore()`."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.up = True
        self.pairs: list[tuple[socket.socket, socket.socket]] = []
        self.lock = threading.Lock()
        self.stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.stopped:
            try:
                readable, _, _ = select.select([self.listener], [], [], 0.2)
                if not readable:
                    continue
                client, _ = self.listener.accept()
            except (OSError, ValueError):  # closed by close()
                return
            if not self.up:
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.pairs.append((client, upstream))
            threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        self.up = False
        with self.lock:
            for pair in self.pairs:
                for end in pair:
                    try:
                        end.shutdown(socket.SHUT_RDWR)
                        end.close()
                    except OSError:
                        pass
            self.pairs.clear()

    def restore(self) -> None:
        self.up = True

    def close(self) -> None:
        self.stopped = True
        self.cut()
        self.listener.close()


def database_url(port: int | None = None, application_name: str = "") -> str:
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    query = f"?application_name={application_name}" if application_name else ""
    return (
        f"postgres://{credentials}@127.0.0.1:{port or db['PORT'] or 5432}/{quote(db['NAME'], safe='')}{query}"
    )


def start_worker(url: str, **env_overrides: str) -> subprocess.Popen:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SECURE_", "PUBLIC_"))}
    env.update({"DATABASE_URL": url, "CONN_MAX_AGE": "0", **env_overrides})
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--interval", "0.2", "--no-startup-delay", "--no-reload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def stop(worker: subprocess.Popen) -> str:
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGKILL)
    output, _ = worker.communicate(timeout=10)
    return output


def wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def enqueue_touches(folder: Path, names: list[str], seconds: float) -> None:
    for name in names:
        outage_tasks.touch.enqueue(str(folder), name, seconds)


def test_a_worker_keeps_running_through_a_15_second_database_outage_and_finishes_everything(tmp_path):
    proxy = CuttableProxy(("127.0.0.1", int(connection.settings_dict["PORT"] or 5432)))
    worker = start_worker(database_url(proxy.port))
    try:
        before = [f"before-{n}" for n in range(20)]
        enqueue_touches(tmp_path, before, 0.2)
        assert wait_for(lambda: (tmp_path / "before-3").exists(), 30), stop(worker)

        proxy.cut()
        during = [f"during-{n}" for n in range(20)]
        enqueue_touches(tmp_path, during, 0.0)  # straight to PostgreSQL: only the worker is cut off
        time.sleep(15)
        assert worker.poll() is None, "the worker died with its database connection"
        proxy.restore()

        everything = [*before, *during]
        assert wait_for(lambda: all((tmp_path / name).exists() for name in everything), 60), sorted(
            name for name in everything if not (tmp_path / name).exists()
        )
        assert worker.poll() is None
    finally:
        output = stop(worker)
        proxy.close()
    assert "database unavailable" in output


def test_a_worker_survives_its_connections_being_killed_every_two_seconds(tmp_path):
    name = f"cpma-worker-{os.getpid()}"
    worker = start_worker(database_url(application_name=name))
    killing = threading.Event()

    def kill_connections() -> None:
        with psycopg.connect(
            database_url().replace("postgres://", "postgresql://"), autocommit=True
        ) as admin:
            while not killing.is_set():
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
                    [name],
                )
                killing.wait(2)

    killer = threading.Thread(target=kill_connections, daemon=True)
    try:
        names = [f"task-{n}" for n in range(30)]
        enqueue_touches(tmp_path, names, 0.3)
        killer.start()
        assert wait_for(lambda: all((tmp_path / n).exists() for n in names), 90), sorted(
            n for n in names if not (tmp_path / n).exists()
        )
        assert worker.poll() is None, "the worker died when its connection was killed"
    finally:
        killing.set()
        killer.join(timeout=5)
        stop(worker)


def test_a_task_whose_worker_was_killed_runs_again_after_its_lease(tmp_path):
    first = start_worker(database_url(), TASK_LEASE_SECONDS="2")
    outage_tasks.hang_the_first_time.enqueue(str(tmp_path))
    assert wait_for(lambda: (tmp_path / "started").exists(), 30), stop(first)
    os.killpg(first.pid, signal.SIGKILL)  # kill -9 mid-task: the row stays "running"
    first.communicate(timeout=10)

    second = start_worker(database_url(), TASK_LEASE_SECONDS="2")
    try:
        assert wait_for(lambda: (tmp_path / "done").exists(), 30)
    finally:
        output = stop(second)
    assert "worker lost, enqueued again" in output


def test_the_task_a_worker_held_when_its_database_went_away_is_ready_again_as_soon_as_it_reconnects(tmp_path):
    """Not after its lease (300 s here): the worker knows which task it held, and puts it back itself."""
    proxy = CuttableProxy(("127.0.0.1", int(connection.settings_dict["PORT"] or 5432)))
    worker = start_worker(database_url(proxy.port), TASK_LEASE_SECONDS="300")
    try:
        held = outage_tasks.start_then_finish.enqueue(str(tmp_path), "held", 2.0)
        assert wait_for(lambda: (tmp_path / "held.started").exists(), 30), stop(worker)
        proxy.cut()  # mid-run: the worker cannot record the outcome, and the row stays "running"
        time.sleep(6)
        assert DBTaskResult.objects.get(pk=held.id).status == "RUNNING"
        proxy.restore()

        assert wait_for(lambda: DBTaskResult.objects.get(pk=held.id).status == "SUCCESSFUL", 30), (
            DBTaskResult.objects.get(pk=held.id).status
        )
        assert (
            tmp_path / "held.runs"
        ).read_text() == "ran\nran\n"  # run again at once (tasks are idempotent)
        assert worker.poll() is None
    finally:
        output = stop(worker)
        proxy.close()
    assert "ready again" in output
