"""Processes come back when they exit: `make serve` runs its worker under scripts/keep_running.sh, and
production runs every process under the systemd units in deploy/ (Restart=always for workers)."""

import configparser
import os
import shlex
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from common.tasks import QUEUES

ROOT = Path(__file__).resolve().parents[2]
KEEP_RUNNING = ROOT / "scripts" / "keep_running.sh"
DEPLOY = ROOT / "deploy"


def wait_for(condition, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(child) for child in found]


def command_of(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().rstrip(b"\0").replace(b"\0", b" ").decode()
    except OSError:  # it exited meanwhile
        return ""


@pytest.fixture
def supervise():
    started: list[subprocess.Popen] = []

    def start(*command: str) -> subprocess.Popen:
        process = subprocess.Popen(
            [str(KEEP_RUNNING), *command],
            env={**os.environ, "KEEP_RUNNING_DELAY": "0.1"},
            stderr=subprocess.PIPE,
            text=True,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        process.stderr.close()


def test_a_command_that_exits_is_started_again(supervise, tmp_path):
    runs = tmp_path / "runs"
    supervisor = supervise("sh", "-c", f"echo run >> {shlex.quote(str(runs))}; exit 3")

    assert wait_for(lambda: runs.exists() and len(runs.read_text().splitlines()) >= 3)
    supervisor.terminate()
    supervisor.wait(timeout=10)

    assert "exited with status 3; starting it again" in supervisor.stderr.read()


def test_a_killed_worker_is_replaced_by_a_new_one(supervise):
    supervisor = supervise("sleep", "1000")
    assert wait_for(lambda: len(children(supervisor.pid)) == 1)
    (first,) = children(supervisor.pid)

    os.kill(first, signal.SIGKILL)

    def replacement() -> list[int]:
        """The supervised command running again (not the killed one, nor the pause before the restart)."""
        return [
            child
            for child in children(supervisor.pid)
            if child != first
            and Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")[:2] == [b"sleep", b"1000"]
        ]

    assert wait_for(lambda: len(replacement()) == 1, timeout=20)
    supervisor.terminate()
    supervisor.wait(timeout=10)


def test_stopping_the_supervisor_stops_its_command_and_nothing_restarts(supervise, tmp_path):
    runs = tmp_path / "runs"
    supervisor = supervise("sh", "-c", f"echo run >> {shlex.quote(str(runs))}; exec sleep 1000")
    assert wait_for(lambda: len(children(supervisor.pid)) == 1 and runs.exists())
    (worker,) = children(supervisor.pid)

    supervisor.terminate()

    assert supervisor.wait(timeout=10) == 0
    assert wait_for(lambda: not Path(f"/proc/{worker}").exists(), timeout=5)
    time.sleep(0.3)
    assert runs.read_text().splitlines() == ["run"]


def test_make_serve_runs_its_worker_under_the_supervisor_and_its_trap_names_only_that_pid():
    recipe = subprocess.run(
        ["make", "-n", "serve"], cwd=ROOT, capture_output=True, text=True, timeout=30
    ).stdout

    (line,) = [line for line in recipe.splitlines() if "db_worker" in line]
    assert line.startswith("scripts/keep_running.sh ") and "& worker=$!" in line
    assert "trap 'kill $worker 2>/dev/null' EXIT INT TERM" in recipe


# --- the systemd units in deploy/ ----------------------------------------------------------------------


def unit(name: str) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(strict=False, interpolation=None, delimiters=("=",))
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read_string((DEPLOY / name).read_text())
    return parser


def manage_py_command(exec_start: str) -> list[str]:
    words = shlex.split(exec_start)
    assert words[0] == "/srv/cpma/.venv/bin/python" and words[1] == "manage.py", exec_start
    return words[2:]


WORKER_UNITS = {
    "cpma-worker-payments@.service": "payments",
    "cpma-worker-mail@.service": "mail",
    "cpma-worker@.service": "default",
}


@pytest.mark.parametrize(("name", "queue"), sorted(WORKER_UNITS.items()))
def test_each_queue_has_a_worker_template_that_restarts_always_and_runs_only_that_queue(name, queue):
    worker = unit(name)
    command = manage_py_command(worker["Service"]["ExecStart"])

    assert worker["Service"]["Restart"] == "always"
    assert worker["Unit"]["StartLimitIntervalSec"] == "0"  # never gives up during a long outage
    assert command[0] == "db_worker"
    assert command[command.index("--queue-name") + 1] == queue
    assert "--no-reload" in command
    assert worker["Install"]["WantedBy"] == "multi-user.target"


def test_the_worker_units_cover_every_queue():
    assert sorted(WORKER_UNITS.values()) == sorted(QUEUES)


def test_make_run_and_make_worker_run_one_worker_for_every_queue():
    for target in ("run", "worker"):
        recipe = subprocess.run(
            ["make", "-n", target], cwd=ROOT, capture_output=True, text=True, timeout=30
        ).stdout
        (line,) = [line for line in recipe.splitlines() if "db_worker" in line]
        assert "--queue-name" not in line, line  # the command's default: every queue


def test_the_web_unit_runs_gunicorn_with_the_projects_config():
    web = unit("cpma-web.service")
    words = shlex.split(web["Service"]["ExecStart"])

    assert words[0].endswith("/gunicorn") and words[-1] == "config.wsgi"
    assert (ROOT / words[words.index("--config") + 1]).is_file()
    assert web["Service"]["Restart"] == "always"
    assert web["Service"]["WorkingDirectory"] == "/srv/cpma"


@pytest.mark.parametrize("command", ["reconcile_stripe", "reconcile_access"])
def test_each_reconcile_command_has_a_timer_and_a_oneshot_service(command):
    name = "cpma-" + command.replace("_", "-")
    service, timer = unit(f"{name}.service"), unit(f"{name}.timer")

    assert service["Service"]["Type"] == "oneshot"
    assert manage_py_command(service["Service"]["ExecStart"]) == [command]
    assert any(ROOT.glob(f"*/management/commands/{command}.py"))
    assert timer["Timer"]["OnUnitActiveSec"] == "15min"
    assert timer["Install"]["WantedBy"] == "timers.target"


def test_prune_records_runs_daily_from_a_timer():
    service, timer = unit("cpma-prune-records.service"), unit("cpma-prune-records.timer")

    assert service["Service"]["Type"] == "oneshot"
    assert manage_py_command(service["Service"]["ExecStart"]) == ["prune_records"]
    assert any(ROOT.glob("*/management/commands/prune_records.py"))
    assert timer["Timer"]["OnCalendar"] == "*-*-* 03:30:00"
    assert timer["Timer"]["Persistent"] == "true"
    assert timer["Install"]["WantedBy"] == "timers.target"


def test_check_invoices_runs_daily_from_a_timer():
    service, timer = unit("cpma-check-invoices.service"), unit("cpma-check-invoices.timer")

    assert service["Service"]["Type"] == "oneshot"
    assert manage_py_command(service["Service"]["ExecStart"]) == ["check_invoices"]
    assert any(ROOT.glob("*/management/commands/check_invoices.py"))
    assert timer["Timer"]["OnCalendar"] == "*-*-* 04:15:00"


def test_roster_summaries_run_weekly_from_a_timer():
    service, timer = unit("cpma-roster-summaries.service"), unit("cpma-roster-summaries.timer")

    assert service["Service"]["Type"] == "oneshot"
    assert manage_py_command(service["Service"]["ExecStart"]) == ["send_roster_summaries"]
    assert any(ROOT.glob("*/management/commands/send_roster_summaries.py"))
    assert timer["Timer"]["OnCalendar"] == "Mon *-*-* 08:00:00"
    assert timer["Timer"]["Persistent"] == "true"
    assert timer["Install"]["WantedBy"] == "timers.target"


def test_every_unit_file_is_known_to_the_tests():
    assert sorted(path.name for path in DEPLOY.glob("cpma-*")) == sorted(
        [
            "cpma-web.service",
            "cpma-worker@.service",
            "cpma-worker-payments@.service",
            "cpma-worker-mail@.service",
            "cpma-reconcile-stripe.service",
            "cpma-reconcile-stripe.timer",
            "cpma-reconcile-access.service",
            "cpma-reconcile-access.timer",
            "cpma-prune-records.service",
            "cpma-prune-records.timer",
            "cpma-check-invoices.service",
            "cpma-check-invoices.timer",
            "cpma-roster-summaries.service",
            "cpma-roster-summaries.timer",
        ]
    )


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_accepts_the_units(tmp_path):
    """`systemd-analyze verify` on copies pointed at this checkout and this user (it checks that programs,
    users and the environment file exist), with the worker template instantiated as @1."""
    env_file = tmp_path / "cpma.env"
    env_file.write_text("")
    user, group = (
        subprocess.run(["id", flag], capture_output=True, text=True).stdout.strip() for flag in ("-un", "-gn")
    )
    names = []
    for path in sorted(DEPLOY.glob("cpma-*")):
        text = (
            path.read_text()
            .replace("/srv/cpma", str(ROOT))
            .replace("/etc/cpma/cpma.env", str(env_file))
            .replace("User=cpma", f"User={user}")
            .replace("Group=cpma", f"Group={group}")
        )
        name = path.name.replace("@.", "@1.")
        (tmp_path / name).write_text(text)
        names.append(name)

    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *names],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert "Unknown" not in result.stderr and "ignoring" not in result.stderr, result.stderr
