"""Request bodies are bounded before anyone reads them.

`RequestBodyLimitMiddleware` answers 413 when the declared `Content-Length` is over the limit for the URL
(requests that carry no body, such as GET, get none; forms `DATA_UPLOAD_MAX_MEMORY_SIZE`; a view may name its
own limit with a `max_body_bytes` attribute, as the Stripe webhook does; the admin `ADMIN_UPLOAD_MAX_BYTES`,
for staff uploading kit files). A chunked body, which declares no length, is read up to the same limit and
refused as soon as it goes past it.

`FilePartsOnlyForStaffHandler` is the first upload handler: a file part anywhere but in the admin (from
signed-in staff) or a view marked `accepts_file_parts` (the seat list upload) ends the parse with a 400
before any of it is stored (in memory or on disk).
"""

import io

from django.conf import settings
from django.contrib.auth import get_user
from django.core.files.uploadhandler import FileUploadHandler
from django.core.handlers.wsgi import LimitedStream
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.http.multipartparser import MultiPartParserError
from django.template.defaultfilters import filesizeformat
from django.urls import Resolver404, resolve
from django.utils.html import escape

BODYLESS_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_READ_CHUNK = 64 * 1024


def _is_admin(request: HttpRequest) -> bool:
    return request.path_info.startswith("/" + settings.ADMIN_URL)


def _view(request: HttpRequest):
    try:
        return resolve(request.path_info).func
    except Resolver404:
        return None


def body_limit(request: HttpRequest) -> int:
    """The largest body, in bytes, this request's method and URL may carry."""
    if request.method in BODYLESS_METHODS:
        return 0
    if _is_admin(request):
        return settings.ADMIN_UPLOAD_MAX_BYTES
    return getattr(_view(request), "max_body_bytes", settings.DATA_UPLOAD_MAX_MEMORY_SIZE)


def too_large_response(limit: int) -> HttpResponse:
    allowed = f"at most {escape(filesizeformat(limit))}" if limit else "no body"
    page = (
        '<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Request too large · CPMA</title></head>\n<body>\n<main>\n"
        "<h1>That request was too large</h1>\n"
        f"<p>This address accepts {allowed} per request, and nothing of what you sent was kept.</p>\n"
        "<p>If you were filling in a form, shorten the longest field and send it again. "
        "Our forms never take file attachments.</p>\n"
        '<p><a href="/">Back to the storefront</a></p>\n</main>\n</body>\n</html>\n'
    )
    return HttpResponse(page, status=413, content_type="text/html; charset=utf-8")


class RequestBodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        declared = request.META.get("CONTENT_LENGTH")
        if declared:
            try:
                length = int(declared)
            except ValueError:
                length = -1
            if length < 0:
                return HttpResponseBadRequest("The Content-Length header is not a number.")
            limit = body_limit(request)
            if length > limit:
                return too_large_response(limit)
        elif _is_chunked(request):
            limit = body_limit(request)
            body = _read_at_most(request.environ["wsgi.input"], limit + 1)
            if len(body) > limit:
                return too_large_response(limit)
            # Django reads a body without Content-Length as empty; hand it the bounded copy instead.
            request.META["CONTENT_LENGTH"] = str(len(body))
            request._stream = LimitedStream(io.BytesIO(body), len(body))
        return self.get_response(request)


def _is_chunked(request: HttpRequest) -> bool:
    # Only servers that mark the input as terminated (gunicorn does) can be read without a length;
    # reading a raw socket (runserver) would wait for the client forever.
    return (
        bool(request.environ.get("wsgi.input_terminated"))
        and "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
    )


def _read_at_most(stream, size: int) -> bytes:
    body = bytearray()
    while len(body) < size:
        chunk = stream.read(min(_READ_CHUNK, size - len(body)))
        if not chunk:
            break
        body += chunk
    return bytes(body)


class UnexpectedFilePart(MultiPartParserError):
    """Django answers a MultiPartParserError with a 400."""


class FilePartsOnlyForStaffHandler(FileUploadHandler):
    def new_file(self, *args, **kwargs) -> None:
        request = self.request
        if getattr(_view(request), "accepts_file_parts", False):
            return  # a view that takes a file says so (and bounds the body with max_body_bytes)
        if not (_is_admin(request) and hasattr(request, "session") and get_user(request).is_staff):
            raise UnexpectedFilePart("This address does not accept file uploads.")

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        return raw_data  # staff uploads go on to the usual handlers

    def file_complete(self, file_size: int) -> None:
        return None
