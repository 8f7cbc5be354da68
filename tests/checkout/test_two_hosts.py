"""The shop on two hosts: two gunicorn app servers on two ports, each with its own background worker, behind
one trusted proxy, sharing only one PostgreSQL database, one Redis and one S3-compatible bucket (moto's
server), as docs/operations.md "Running on more than one host" describes.

- Rate limits: a visitor's sign-in requests count against one limit whichever host answers, and another
  visitor behind the same proxy keeps a limit of their own (the client address comes from X-Forwarded-For,
  believed only from TRUSTED_PROXIES).
- Downloads: a kit file uploaded once is streamed by either host from the shared bucket.
- Reconcile: a payment the webhook never reported, reconciled from both hosts at once and worked off by both
  workers, pays the order once and emails the buyer once.
"""

import json
import os
import re
import socket
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from contextlib import ExitStack
from pathlib import Path

import boto3
import pytest
import redis
from django.core.files.base import ContentFile
from django.db import connection
from moto.server import ThreadedMotoServer

from access import links
from access.models import Download, Grant, KitFile
from checkout.models import Order
from tests.checkout.conftest import WEBHOOK_SECRET, completed_event
from tests.checkout.test_two_app_servers import app_database_url, checkout_log, run_worker
from tests.gunicorn_server import GunicornServer, running_gunicorn

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="two hosts sharing one database need PostgreSQL (SQLite serialises writers, has no row locks)",
    ),
]

ROOT = Path(__file__).resolve().parents[2]
BUCKET = "cpma-kits-two-hosts"
REDIS_DB = 7
PROXY = "127.0.0.1"  # this test plays the load balancer in front of both hosts
LIMIT_PER_ADDRESS = 3
S3_KEYS = {"region_name": "us-east-1", "aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def bucket_url():
    """An S3-compatible server in a thread of this process, with an empty bucket; its URL."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    boto3.client("s3", endpoint_url=url, **S3_KEYS).create_bucket(Bucket=BUCKET)
    yield url
    server.stop()


@pytest.fixture
def redis_url():
    client = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB)
    try:
        client.flushdb()
    except redis.ConnectionError:
        pytest.fail("Redis is not running on 127.0.0.1:6379 (.ci/run starts it)")
    yield f"redis://127.0.0.1:6379/{REDIS_DB}"
    client.flushdb()


@pytest.fixture
def hosts_env(settings, fake_stripe, bucket_url, redis_url) -> dict[str, str]:
    """What both hosts are started with; the test process uploads kit files to the same bucket."""
    storage = {
        "bucket_name": BUCKET,
        "endpoint_url": bucket_url,
        "region_name": "us-east-1",
        "access_key": "testing",
        "secret_key": "testing",
        "location": "media",
        "default_acl": "private",
        "file_overwrite": False,
    }
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "common.storage.StreamingS3Storage", "OPTIONS": storage},
    }
    return {
        "DATABASE_URL": app_database_url(),
        "CACHE_URL": redis_url,
        "TRUSTED_PROXIES": PROXY,
        "SECRET_KEY": settings.SECRET_KEY,  # links signed on one host open on the other
        "STATIC_ROOT": str(settings.STATIC_ROOT),  # collected once for the test run
        "SECURE_COOKIES": "false",  # plain http between this test and the hosts
        "EMAIL_URL": "consolemail://",
        "STRIPE_SECRET_KEY": "sk_test_fake_secret_key",
        "STRIPE_PUBLISHABLE_KEY": "pk_test_fake_publishable_key",
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "STRIPE_API_BASE": fake_stripe.url,
        "STRIPE_TIMEOUT_SECONDS": "10",
        "CONN_MAX_AGE": "0",
        "LOG_LEVEL": "INFO",
        "SIGN_IN_LIMIT_PER_IP": str(LIMIT_PER_ADDRESS),
        "SIGN_IN_LIMIT_PER_EMAIL": "100",
        "KIT_STORAGE_BUCKET": BUCKET,
        "KIT_STORAGE_ENDPOINT_URL": bucket_url,
        "KIT_STORAGE_REGION": "us-east-1",
        "KIT_STORAGE_ACCESS_KEY_ID": "testing",
        "KIT_STORAGE_SECRET_ACCESS_KEY": "testing",
        "KIT_STORAGE_PREFIX": "media",
    }


def fetch(
    url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, bytes, dict]:
    request = urllib.request.Request(url, data=data, headers=headers or {}, method="POST" if data else "GET")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


def ask_for_sign_in_link(host: GunicornServer, email: str, visitor: str) -> int:
    """The purchases page's form, as a visitor behind the proxy fills it in: GET (a CSRF cookie), POST."""
    forwarded = {"X-Forwarded-For": visitor}
    status, page, headers = fetch(f"{host.url}/purchases/", headers=forwarded)
    assert status == 200, host.log()[-3000:]
    cookie = re.search(r"csrftoken=([^;]+)", headers.get("Set-Cookie", "")).group(1)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "email": email}).encode()
    status, _, _ = fetch(
        f"{host.url}/purchases/",
        data=form,
        headers={
            **forwarded,
            "Cookie": f"csrftoken={cookie}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    return status


def reconcile_from(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "reconcile_stripe", "--sweep"],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_two_hosts_share_limits_kit_files_and_reconcile(catalog, buy, deliver_event, fake_stripe, hosts_env):
    _, kit_order = buy("resume-kit")
    deliver_event(completed_event(fake_stripe, kit_order, email="kit.buyer@example.com"))
    grant = Grant.objects.get(order=kit_order)
    content = bytes(range(256)) * 12_000  # 3 MB: many chunks
    kit_file = KitFile(product=catalog["resume-kit"], title="Templates")
    kit_file.file.save("templates.docx", ContentFile(content), save=False)
    kit_file.save()
    _, quiet_order = buy("bundle", 2)
    fake_stripe.complete_session(quiet_order.stripe_session_id, email="quiet.buyer@example.com")

    with ExitStack() as stack:
        first = stack.enter_context(running_gunicorn(**hosts_env))
        second = stack.enter_context(running_gunicorn(**hosts_env))

        # One visitor's requests count together whichever host answers; a neighbour keeps their own limit.
        answers = [
            ask_for_sign_in_link(host, f"crew{n}@example.com", "198.51.100.7")
            for n, host in enumerate([first, second, first, second])
        ]
        neighbour = ask_for_sign_in_link(second, "neighbour@example.com", "198.51.100.8")

        # The same file from the shared bucket, through either host.
        path = f"/access/download/{links.download_token(grant, kit_file)}/"
        downloads = [fetch(host.url + path) for host in (first, second)]

        # Reconcile from both hosts at once.
        passes = [reconcile_from(hosts_env) for _ in range(2)]
        pass_output = [process.communicate(timeout=120)[0] for process in passes]
        logs = [first.log(), second.log()]

    assert answers == [200] * LIMIT_PER_ADDRESS + [429], "the fourth request is over the shared limit"
    assert neighbour == 200, "behind the same proxy, another visitor has a limit of their own"
    access_log = [json.loads(line) for log in logs for line in log.splitlines() if line.startswith("{")]
    clients = {entry.get("client") for entry in access_log if entry.get("path") == "/purchases/"}
    assert clients == {"198.51.100.7", "198.51.100.8"}, clients

    for status, body, headers in downloads:
        assert status == 200
        assert body == content
        assert headers["Content-Disposition"] == 'attachment; filename="templates.docx"'
    assert Download.objects.filter(grant=grant, kit_file=kit_file).count() == 2

    assert [process.returncode for process in passes] == [0, 0], pass_output
    paid_lines = [
        line
        for out in pass_output
        for line in out.splitlines()
        if line.startswith(f"{quiet_order.reference}:")
    ]
    # Each pass reports what it saw change while it ran, so both may name the order; it moved once (below).
    assert paid_lines and all("pending -> paid" in line for line in paid_lines), pass_output
    workers = [run_worker(hosts_env) for _ in range(2)]
    worker_logs = [worker.communicate(timeout=120)[0] for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0], worker_logs
    quiet_order.refresh_from_db()
    assert quiet_order.status == Order.Status.PAID
    assert quiet_order.history.filter(kind="status").count() == 1
    messages = [message for log in worker_logs for message in checkout_log(log)]
    assert messages.count(f"order {quiet_order.reference}: order-confirmation email sent") == 1
    subject = f"Subject: Your CPMA order {quiet_order.reference} is confirmed"
    assert sum(log.count(subject) for log in worker_logs) == 1
