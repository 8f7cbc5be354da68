"""Kit files on S3-compatible storage shared by every app server (KIT_STORAGE_BUCKET; here moto's S3 in
this process): staff upload through the storage API, holders download through the same signed links,
streamed from the bucket in chunks, never read whole into the app's memory or a temporary file."""

import json
import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from django.core.files.base import ContentFile
from django.test import Client
from moto import mock_aws
from storages.backends.s3 import S3File

from access import links
from access.models import Download, Grant, KitFile
from common.storage import StreamedFile, StreamingS3Storage

BUCKET = "cpma-kits"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def shared_storage(settings):
    with mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket=BUCKET)
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "common.storage.StreamingS3Storage",
                "OPTIONS": {
                    "bucket_name": BUCKET,
                    "region_name": "us-east-1",
                    "access_key": "testing",
                    "secret_key": "testing",
                    "location": "media",
                    "default_acl": "private",
                    "file_overwrite": False,
                },
            },
        }
        yield boto3.client("s3", region_name="us-east-1")


def add_file(product, name: str, content: bytes) -> KitFile:
    kit_file = KitFile(product=product, title=name)
    kit_file.file.save(name, ContentFile(content), save=False)
    kit_file.save()
    return kit_file


def test_an_uploaded_kit_file_lands_in_the_bucket_under_the_prefix(shared_storage, catalog):
    kit_file = add_file(catalog["resume-kit"], "templates.docx", b"resume")

    assert isinstance(kit_file.file.storage._wrapped, StreamingS3Storage)
    stored = shared_storage.get_object(Bucket=BUCKET, Key=f"media/{kit_file.file.name}")
    assert stored["Body"].read() == b"resume"


def test_a_holder_downloads_a_kit_file_streamed_from_the_bucket(
    shared_storage, paid_order, catalog, monkeypatch
):
    def whole_file_download(*args, **kwargs):
        raise AssertionError("the whole object was downloaded before streaming")

    monkeypatch.setattr(S3File, "_get_file", whole_file_download)
    order = paid_order("resume-kit", 1)
    content = bytes(range(256)) * 4096  # 1 MiB: four 256 KB chunks
    kit_file = add_file(catalog["resume-kit"], "templates.docx", content)
    grant = Grant.objects.get(order=order)

    response = Client().get(f"/access/download/{links.download_token(grant, kit_file)}/")
    chunks = list(response.streaming_content)

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="templates.docx"'
    assert int(response["Content-Length"]) == len(content)
    assert b"".join(chunks) == content and len(chunks) >= 4
    assert Download.objects.get().bytes == len(content)


def test_a_file_missing_from_the_bucket_is_a_404(shared_storage, paid_order, catalog):
    order = paid_order("resume-kit", 1)
    kit_file = add_file(catalog["resume-kit"], "templates.docx", b"resume")
    shared_storage.delete_object(Bucket=BUCKET, Key=f"media/{kit_file.file.name}")
    grant = Grant.objects.get(order=order)

    response = Client().get(f"/access/download/{links.download_token(grant, kit_file)}/")

    assert response.status_code == 404
    assert not Download.objects.exists()


def test_an_upload_with_the_name_of_another_file_never_replaces_it(shared_storage, catalog):
    first = add_file(catalog["resume-kit"], "templates.docx", b"first")
    second = add_file(catalog["resume-kit"], "templates.docx", b"second")

    assert first.file.name != second.file.name
    assert first.file.storage.open(first.file.name).read() == b"first"


def test_a_streamed_file_reads_in_the_chunks_asked_for(shared_storage):
    shared_storage.put_object(Bucket=BUCKET, Key="media/kits/x/big.bin", Body=b"a" * 1000)
    handle = StreamingS3Storage(bucket_name=BUCKET, region_name="us-east-1", location="media").open(
        "kits/x/big.bin"
    )

    assert isinstance(handle, StreamedFile) and handle.size == 1000
    assert [len(handle.read(400)) for _ in range(4)] == [400, 400, 200, 0]
    handle.close()


def storages_with(**environment: str) -> dict:
    code = "import json, config.settings as s; print(json.dumps(s.STORAGES['default']))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "DEBUG": "true", **environment},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_kit_files_stay_on_the_local_disk_unless_a_bucket_is_named():
    assert storages_with(KIT_STORAGE_BUCKET="") == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_a_named_bucket_makes_the_shared_streaming_storage_the_default():
    default = storages_with(
        KIT_STORAGE_BUCKET="cpma-kits",
        KIT_STORAGE_ENDPOINT_URL="https://s3.example.net",
        KIT_STORAGE_PREFIX="/shop/media/",
    )

    assert default["BACKEND"] == "common.storage.StreamingS3Storage"
    options = default["OPTIONS"]
    assert (options["bucket_name"], options["endpoint_url"], options["location"]) == (
        "cpma-kits",
        "https://s3.example.net",
        "shop/media",
    )
    assert (options["default_acl"], options["file_overwrite"], options["access_key"]) == (
        "private",
        False,
        None,
    )
