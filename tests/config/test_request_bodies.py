"""Request bodies are bounded before they are read: 413 over the URL's limit (declared or chunked), and file
parts refused wherever no view takes files, without anything stored in memory or on disk."""

import contextlib
import io
import socket
import tempfile
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import pytest

from tests.gunicorn_server import running_gunicorn

pytestmark = pytest.mark.django_db

BOUNDARY = "----cpma-test-boundary"
MB = 1_048_576


def multipart(fields: dict[str, str], file_bytes: int = 0) -> bytes:
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    if file_bytes:
        parts.append(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="upload"; filename="big.bin"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n".encode()
            + b"x" * file_bytes
            + b"\r\n"
        )
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


@pytest.fixture
def upload_dirs(tmp_path, settings, monkeypatch):
    """Where Django would spool an uploaded file: both the configured and the system temporary directory."""
    spool = tmp_path / "spool"
    spool.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(spool)
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    return spool


@pytest.mark.parametrize("path", ["/checkout/start/", "/purchases/"])
def test_a_multipart_body_over_the_form_limit_is_413(client, path, upload_dirs):
    body = multipart({"email": "buyer@example.com"}, file_bytes=MB + 1)

    response = client.generic("POST", path, body, content_type=MULTIPART)

    assert response.status_code == 413
    assert "too large" in response.text and "1.0\xa0MB" in response.text
    assert list(upload_dirs.iterdir()) == []


def test_an_urlencoded_body_over_the_form_limit_is_413(client, settings):
    response = client.post(
        "/purchases/",
        "email=" + "a" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 413


def test_a_get_with_a_body_is_413(client):
    response = client.generic("GET", "/faq/", b"x" * 10, content_type="text/plain")

    assert response.status_code == 413
    assert "accepts no body" in response.text


def test_fifty_megabytes_of_multipart_are_refused_within_a_second_without_a_temp_file(client, upload_dirs):
    body = multipart({"product": "level-i", "quantity": "1"}, file_bytes=50 * MB)

    started = time.monotonic()
    response = client.generic("POST", "/checkout/start/", body, content_type=MULTIPART)

    assert response.status_code == 413
    assert time.monotonic() - started < 1
    assert list(upload_dirs.iterdir()) == []


def chunked(client, path: str, body: bytes, content_type: str):
    """A body sent with Transfer-Encoding: chunked, as gunicorn hands it on: no Content-Length, the input
    marked as terminated."""
    payload = io.BytesIO(body)  # like gunicorn's input: reads past the end return b""
    return client.generic(
        "POST",
        path,
        b"",
        **{
            "CONTENT_TYPE": content_type,
            "wsgi.input": payload,
            "wsgi.input_terminated": True,
            "HTTP_TRANSFER_ENCODING": "chunked",
        },
    )


def test_a_chunked_body_is_cut_at_the_form_limit(client, settings):
    response = chunked(
        client,
        "/purchases/",
        b"email=" + b"a" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
        "application/x-www-form-urlencoded",
    )

    assert response.status_code == 413


def test_a_chunked_form_under_the_limit_reaches_the_view(client):
    response = chunked(
        client, "/purchases/", b"email=buyer%40example.com", "application/x-www-form-urlencoded"
    )

    assert response.status_code == 200
    assert "buyer@example.com" in response.text


@pytest.mark.parametrize("path", ["/checkout/start/", "/purchases/", "/admin/login/"])
def test_a_small_file_part_is_refused_where_no_view_takes_files(client, path, upload_dirs):
    body = multipart({"email": "buyer@example.com", "username": "x", "password": "y"}, file_bytes=1000)

    response = client.generic("POST", path, body, content_type=MULTIPART)

    assert response.status_code == 400
    assert list(upload_dirs.iterdir()) == []


def test_a_multipart_form_without_files_is_still_read(client):
    response = client.generic(
        "POST", "/purchases/", multipart({"email": "buyer@example.com"}), content_type=MULTIPART
    )

    assert response.status_code == 200
    assert "buyer@example.com" in response.text


def test_staff_may_post_more_than_a_form_to_the_admin(admin_client, settings):
    settings.ADMIN_UPLOAD_MAX_BYTES = 3 * MB
    body = multipart({"q": "x"}, file_bytes=2 * MB)

    allowed = admin_client.generic("POST", "/admin/catalog/product/add/", body, content_type=MULTIPART)
    refused = admin_client.generic(
        "POST", "/admin/catalog/product/add/", multipart({}, file_bytes=3 * MB), content_type=MULTIPART
    )

    assert allowed.status_code == 200  # the form again, with its errors: the body was read
    assert refused.status_code == 413


def test_a_view_names_its_own_limit_and_it_is_applied_before_the_view_reads(client, monkeypatch, settings):
    from payments import webhooks

    settings.STRIPE_WEBHOOK_SECRET = "whsec_test_limit"

    assert webhooks.stripe_webhook.max_body_bytes == webhooks.MAX_BODY_BYTES
    monkeypatch.setattr(webhooks.stripe_webhook, "max_body_bytes", 100)

    over = client.post("/stripe/webhook/", b"{" + b" " * 500 + b"}", content_type="application/json")
    under = client.post("/stripe/webhook/", b"{}", content_type="application/json")

    assert over.status_code == 413 and "accepts at most 100" in over.text  # the middleware's page
    assert under.status_code == 400  # read by the view, refused for its missing signature


# --- the same through real gunicorn ---------------------------------------------------------------


def raw_request(url: str, head: str, body_start: bytes) -> tuple[bytes, float]:
    """Send the request line and headers and the start of the body, then read the answer: the seconds from
    the headers going out to the status line coming back."""
    address = urlsplit(url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as sock:
        started = time.monotonic()
        sock.sendall(head.encode() + body_start)
        answer = sock.recv(4096)
        return answer, time.monotonic() - started


def warm_up(url: str) -> None:
    """The worker loads Django after gunicorn says it listens; time the request, not the start-up."""
    # A 503 from a database without tables means the worker is up all the same.
    with contextlib.suppress(urllib.error.HTTPError):
        urllib.request.urlopen(f"{url}/healthz", timeout=30).close()


def test_gunicorn_answers_fifty_megabytes_of_multipart_with_413_within_a_second(tmp_path):
    spool = tmp_path / "tmp"
    spool.mkdir()
    declared = 50 * MB
    head = (
        "POST /checkout/start/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: {MULTIPART}\r\nContent-Length: {declared}\r\n\r\n"
    )
    with running_gunicorn(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", TMPDIR=str(spool)) as server:
        warm_up(server.url)
        answer, seconds = raw_request(server.url, head, multipart({}, file_bytes=MB)[: MB // 2])

    assert answer.startswith(b"HTTP/1.1 413 ")
    assert seconds < 1
    assert list(spool.iterdir()) == []


def test_gunicorn_cuts_a_chunked_body_at_the_limit(tmp_path):
    chunk = b"a" * (256 * 1024)
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(5)) + b"0\r\n\r\n"
    head = (
        "POST /purchases/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    with running_gunicorn(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}") as server:
        answer, _ = raw_request(server.url, head, body)

    assert answer.startswith(b"HTTP/1.1 413 ")


# --- the one place that takes files: staff uploading kit files in the admin ----------------------------


def test_staff_upload_a_kit_file_larger_than_a_form_through_the_product_admin(
    catalog, admin_client, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from access.models import KitFile
    from tests.factories import product_admin_form

    settings.MEDIA_ROOT = tmp_path / "media"
    product = catalog["ai-kit"]
    data = product_admin_form(
        product,
        **{
            "kit_files-TOTAL_FORMS": "1",
            "kit_files-INITIAL_FORMS": "0",
            "kit_files-0-position": "1",
            "kit_files-0-title": "Prompt library (ZIP)",
            "kit_files-0-file": SimpleUploadedFile("prompts.zip", b"PK" + b"x" * (3 * MB)),
        },
    )

    response = admin_client.post(f"/admin/catalog/product/{product.pk}/change/", data)

    assert response.status_code == 302, response.text[:2000]
    kit_file = KitFile.objects.get(product=product, title="Prompt library (ZIP)")
    assert kit_file.file.size == 2 + 3 * MB


def test_someone_without_staff_status_cannot_upload_even_to_the_admin(catalog, client, upload_dirs):
    from django.contrib.auth.models import User

    client.force_login(User.objects.create_user("visitor", "visitor@example.com", "a-long-test-password"))
    body = multipart({"title": "x"}, file_bytes=3 * MB)

    response = client.generic(
        "POST", f"/admin/catalog/product/{catalog['ai-kit'].pk}/change/", body, content_type=MULTIPART
    )

    assert response.status_code == 400
    assert list(upload_dirs.iterdir()) == []
