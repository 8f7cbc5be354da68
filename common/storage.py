"""Uploaded files on S3-compatible storage shared by every app server (django-storages), read as a stream.

django-storages' own S3 file downloads the whole object into a temporary file (in memory by default) before
the first byte can be read; a 200 MB kit file would sit in a gunicorn worker's memory for every download.
`StreamingS3Storage` opens a file for reading as the body of one GET instead: `read(n)` takes the next bytes
off the connection, so a download is streamed from the bucket to the browser in chunks, as from the local
disk. Writing (staff uploading in the admin) goes through django-storages unchanged.
"""

from botocore.exceptions import ClientError
from django.core.files.base import File
from storages.backends.s3 import S3Storage
from storages.utils import clean_name


class StreamedFile(File):
    """One object's body, read front to back (no seeking); its size is the object's Content-Length."""

    def __init__(self, body, name: str, size: int) -> None:
        super().__init__(body, name)
        self.size = size

    def close(self) -> None:
        self.file.close()


class StreamingS3Storage(S3Storage):
    """S3-compatible storage whose files open for reading as a stream (see the module docstring)."""

    def _open(self, name: str, mode: str = "rb") -> File:
        if mode != "rb":
            return super()._open(name, mode)
        key = self._normalize_name(clean_name(name))
        try:
            response = self.bucket.Object(key).get()
        except ClientError as exc:
            if exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404:
                raise FileNotFoundError(f"File does not exist: {name}") from None
            raise
        return StreamedFile(response["Body"], name, response["ContentLength"])
