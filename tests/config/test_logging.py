"""Logs are one JSON object per line on stdout, and never carry request headers, bodies or query strings."""

import io
import json
import logging
import runpy
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from gunicorn.config import Config

from config.logging import JsonFormatter

GUNICORN_CONF = Path(__file__).resolve().parents[2] / "config" / "gunicorn.conf.py"


def formatted(logger_name: str, message: str, *args, **extra) -> dict:
    record = logging.getLogger(logger_name).makeRecord(
        logger_name, logging.INFO, __file__, 1, message, args, None, extra=extra
    )
    line = JsonFormatter().format(record)
    assert "\n" not in line
    return json.loads(line)


def test_order_state_change_is_one_json_line_with_its_fields():
    entry = formatted(
        "checkout",
        "order %s: %s -> %s",
        "CPMA-000042",
        "pending",
        "paid",
        order="CPMA-000042",
        event_id="evt_123",
        old_state="pending",
        new_state="paid",
    )

    assert entry["logger"] == "checkout"
    assert entry["level"] == "INFO"
    assert entry["message"] == "order CPMA-000042: pending -> paid"
    assert (entry["order"], entry["event_id"], entry["old_state"], entry["new_state"]) == (
        "CPMA-000042",
        "evt_123",
        "pending",
        "paid",
    )


def test_request_attached_by_django_is_left_out(rf):
    request = rf.post(
        "/stripe/webhook/",
        data=b'{"card": "4242"}',
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE="t=1,v1=deadbeef",
    )

    entry = formatted(
        "django.request", "Bad Request: %s", "/stripe/webhook/", request=request, status_code=400
    )

    assert entry["status_code"] == 400
    assert "request" not in entry
    assert "deadbeef" not in json.dumps(entry)
    assert "4242" not in json.dumps(entry)


def test_checkout_logger_reports_state_changes_at_info():
    assert logging.getLogger("checkout").isEnabledFor(logging.INFO)
    assert settings.LOGGING["handlers"]["stdout"]["stream"] == "ext://sys.stdout"


@pytest.fixture
def gunicorn_conf() -> dict:
    return runpy.run_path(str(GUNICORN_CONF))


def access_line(gunicorn_conf, environ: dict) -> dict:
    config = Config()
    config.set("accesslog", "-")
    access_logger = gunicorn_conf["JsonAccessLogger"](config)
    stream = io.StringIO()
    access_logger.access_log.handlers = [logging.StreamHandler(stream)]
    response = SimpleNamespace(status="200 OK", sent=1234, headers=[("Set-Cookie", "sessionid=s3cret")])
    base = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/",
        "REMOTE_ADDR": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
    }

    access_logger.access(response, None, {**base, **environ}, timedelta(milliseconds=12.5))

    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    return json.loads(lines[0])


def test_gunicorn_logs_one_json_line_per_request(gunicorn_conf):
    entry = access_line(gunicorn_conf, {"PATH_INFO": "/products/bundle/", "HTTP_USER_AGENT": "wrk"})

    assert entry["logger"] == "access"
    assert (entry["method"], entry["path"], entry["status"], entry["bytes"]) == (
        "GET",
        "/products/bundle/",
        200,
        1234,
    )
    assert entry["duration_ms"] == 12.5


def test_gunicorn_access_log_leaves_out_tokens_and_cookies(gunicorn_conf):
    entry = access_line(
        gunicorn_conf,
        {
            "PATH_INFO": "/checkout/success/",
            "QUERY_STRING": "session_id=cs_test_s3cret",
            "HTTP_COOKIE": "sessionid=s3cret",
            "HTTP_STRIPE_SIGNATURE": "t=1,v1=s3cret",
            "HTTP_AUTHORIZATION": "Bearer s3cret",
        },
    )

    assert entry["path"] == "/checkout/success/"
    assert "s3cret" not in json.dumps(entry)


def test_gunicorn_config_serves_locally_with_processes_and_threads_per_core(gunicorn_conf, monkeypatch):
    assert gunicorn_conf["bind"] == "127.0.0.1:8000"
    assert gunicorn_conf["worker_class"] == "gthread"
    assert gunicorn_conf["workers"] == 2 * gunicorn_conf["_cpu_count"]() >= 2
    assert gunicorn_conf["threads"] >= 2
    assert gunicorn_conf["accesslog"] == "-"
    assert gunicorn_conf["timeout"] > 0

    monkeypatch.setenv("GUNICORN_BIND", "0.0.0.0:9000")
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    overridden = runpy.run_path(str(GUNICORN_CONF))

    assert (overridden["bind"], overridden["workers"]) == ("0.0.0.0:9000", 3)


class RecordingLog:
    def __init__(self):
        self.warnings = []

    def warning(self, message, *args):
        self.warnings.append(message % args)


def starting_server(gunicorn_conf, workers: int) -> RecordingLog:
    log = RecordingLog()
    gunicorn_conf["on_starting"](SimpleNamespace(cfg=SimpleNamespace(workers=workers), log=log))
    return log


def test_gunicorn_warns_when_several_workers_share_no_cache(gunicorn_conf, monkeypatch):
    monkeypatch.setenv("CACHE_URL", "locmemcache://")

    assert "CACHE_URL" in starting_server(gunicorn_conf, workers=4).warnings[0]
    assert starting_server(gunicorn_conf, workers=1).warnings == []

    monkeypatch.setenv("CACHE_URL", "redis://127.0.0.1:6379/0")
    assert starting_server(gunicorn_conf, workers=4).warnings == []


def test_gunicorn_logs_the_client_behind_a_trusted_proxy_and_ignores_a_forged_header(gunicorn_conf, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]

    proxied = access_line(gunicorn_conf, {"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_FOR": "203.0.113.9"})
    forged = access_line(gunicorn_conf, {"REMOTE_ADDR": "192.0.2.66", "HTTP_X_FORWARDED_FOR": "203.0.113.9"})

    assert (proxied["client"], proxied["remote_addr"]) == ("203.0.113.9", "10.0.0.5")
    assert forged["client"] == "192.0.2.66"
