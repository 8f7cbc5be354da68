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


def test_the_worker_template_restarts_always_and_runs_db_worker():
    worker = unit("cpma-worker@.service")

    assert worker["Service"]["Restart"] == "always"
    assert worker["Unit"]["StartLimitIntervalSec"] == "0"  # never gives up during a long outage
    assert manage_py_command(worker["Service"]["ExecStart"])[0] == "db_worker"
    assert "--no-reload" in worker["Service"]["ExecStart"]
    assert worker["Install"]["WantedBy"] == "multi-user.target"


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


def test_every_unit_file_is_known_to_the_tests():
    assert sorted(path.name for path in DEPLOY.glob("cpma-*")) == sorted(
        [
            "cpma-web.service",
            "cpma-worker@.service",
            "cpma-reconcile-stripe.service",
            "cpma-reconcile-stripe.timer",
            "cpma-reconcile-access.service",
            "cpma-reconcile-access.timer",
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
