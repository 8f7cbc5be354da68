"""A whole-page cache for the public pages that look the same to every visitor.

Home, product, landing and FAQ pages carry no per-visitor data (no CSRF token, no messages), so one
rendered copy serves everyone. Entries are tagged with a content version kept in the shared cache
(CACHE_URL: Redis in production); `bump_public_cache()` moves the version on, and every older entry stops
matching.

The cache listens for what those pages show: a save or delete of any model in PUBLIC_CACHE_MODELS (from
admin, a management command or the shell) bumps the version once the transaction commits. The apps never
call the cache and never import `config`. Writes that send no signals (`QuerySet.update()`,
`bulk_create()`) need `bump_public_cache` run afterwards, as a deploy does.

Two tiers, so a hit costs about as much as a static file: each process keeps its own copies of pages
(local memory) and re-reads the shared version at most every PUBLIC_CACHE_VERSION_TTL seconds. The process
that bumps sees the new version at once; other processes and app servers within that many seconds (0 means
on every request). Staff, who are signed in, always bypass the cache.

Each stored page also keeps a gzip copy, made once when it is stored, for the clients that accept it (every
browser does): a page then costs about as many bytes on the wire as whitenoise's compressed static files,
instead of three to four times more. The FAQ, with every answer also in its structured data, is the
largest page (17 KB, 4 KB compressed) and was the slowest before pages were compressed.

Pages differ by the visitor's currency (pounds, euros, dollars): each function in
PUBLIC_CACHE_KEY_FUNCTIONS adds its answer for the request to the key, and the response names what those
functions read in Vary (PUBLIC_CACHE_VARY) for browsers and CDNs. The functions come from settings, so this
module still knows no app's rules.

The middleware sits right after SecurityMiddleware/WhiteNoise and the CSP middleware: a hit is answered
before sessions, auth or the database are touched, and still gets the security headers on its way out.
"""

import gzip
import hashlib
import re
import time
from functools import lru_cache

from django.apps import apps
from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, URLResolver, get_resolver, get_urlconf
from django.utils.cache import cc_delim_re, patch_cache_control, patch_vary_headers
from django.utils.module_loading import import_string

VERSION_KEY = "public-page:version"
# Kept from the rendered response; everything else is added again on the way out (security headers).
_STORED_HEADERS = ("Content-Type", "Content-Language", "X-Frame-Options")
# Django's GZipMiddleware test: the client names gzip among the encodings it accepts.
_ACCEPTS_GZIP = re.compile(r"\bgzip\b")
# Below this a gzip copy saves too little to be worth a header (GZipMiddleware's threshold).
_MIN_COMPRESSIBLE = 200
# This process's copies of pages. Bounded, so odd query strings cannot grow it without limit.
local_copies = LocMemCache("public-pages", {"OPTIONS": {"MAX_ENTRIES": 1000}})
# (version, time.monotonic() when read from the shared cache)
_version_seen: tuple[int | None, float] = (None, 0.0)


def bump_public_cache() -> None:
    """Make every cached public page stale, once the current transaction (if any) commits.

    After the commit, because a page rendered in between would otherwise be stored under the new version
    with the old data.
    """
    transaction.on_commit(_increment_version)


def listen_for_content_changes() -> None:
    """Bump on every save or delete of the models the public pages show (called once, at start-up)."""
    for label in settings.PUBLIC_CACHE_MODELS:
        model = apps.get_model(label)
        post_save.connect(_content_changed, sender=model, dispatch_uid=f"public-cache-save:{label}")
        post_delete.connect(_content_changed, sender=model, dispatch_uid=f"public-cache-delete:{label}")
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(
                _content_changed, sender=field.remote_field.through, dispatch_uid=f"public-cache-m2m:{label}"
            )


def _content_changed(sender, **kwargs) -> None:
    if kwargs.get("raw"):  # fixtures being loaded: nothing is served from them yet
        return
    bump_public_cache()


def _increment_version() -> None:
    global _version_seen
    try:
        version = cache.incr(VERSION_KEY)
    except ValueError:  # no version yet, or the cache lost it
        version = _fresh_version()
        cache.set(VERSION_KEY, version, timeout=None)
    _version_seen = (version, time.monotonic())


def _fresh_version() -> int:
    # Never reuse a number an evicted version may have had: old entries must not match again.
    return time.time_ns()


def _current_version() -> int:
    global _version_seen
    version, seen_at = _version_seen
    now = time.monotonic()
    if version is not None and now - seen_at < settings.PUBLIC_CACHE_VERSION_TTL:
        return version
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, _fresh_version(), timeout=None)
        version = cache.get(VERSION_KEY)
    _version_seen = (version, now)
    return version


def _is_current(entry: tuple | None, version: int) -> bool:
    # Four fields since pages keep a gzip copy; an entry stored before that is a miss.
    return entry is not None and len(entry) == 4 and entry[0] == version


def _cached_entry(key: str, version: int) -> tuple | None:
    entry = local_copies.get(key)
    if _is_current(entry, version):
        return entry
    entry = cache.get(key)
    if _is_current(entry, version):
        local_copies.set(key, entry, timeout=settings.PUBLIC_CACHE_TIMEOUT)
        return entry
    return None


@lru_cache(maxsize=8)
def _key_functions(paths: tuple[str, ...]) -> tuple:
    return tuple(import_string(path) for path in paths)


def _page_key(request: HttpRequest) -> str:
    """The page's address plus what PUBLIC_CACHE_KEY_FUNCTIONS say about the request (the visitor's
    currency): one stored copy per combination."""
    scheme = "https" if request.is_secure() else "http"
    address = f"{scheme}://{request.get_host()}{request.get_full_path()}"
    for function in _key_functions(tuple(settings.PUBLIC_CACHE_KEY_FUNCTIONS)):
        address += f"|{function(request)}"
    return "public-page:" + hashlib.blake2b(address.encode(), digest_size=20).hexdigest()


def _may_be_personal(request: HttpRequest) -> bool:
    """True if the visitor may see something of their own: a session (signed in, basket, messages)."""
    return settings.SESSION_COOKIE_NAME in request.COOKIES or CookieStorage.cookie_name in request.COOKIES


def _is_public_page(request: HttpRequest) -> bool:
    """Resolved here, before the view runs, so other pages (checkout, admin, healthz) never touch the cache.

    Remembered per path: resolving walks the URL patterns in order and cost a cache hit on /faq/, matched
    after every catalogue and checkout pattern, 25 microseconds (14 for the home page). The resolver is
    part of the key, so clearing Django's URL caches (a changed URLconf) forgets every answer.
    """
    return _resolves_to_public_page(
        request.path_info,
        get_resolver(get_urlconf()),
        tuple(settings.PUBLIC_CACHE_URL_NAMESPACES),
        tuple(settings.PUBLIC_CACHE_URL_NAMES),
    )


@lru_cache(maxsize=1024)  # bounded: odd paths cannot grow it without limit
def _resolves_to_public_page(path: str, resolver: URLResolver, namespaces: tuple, names: tuple) -> bool:
    try:
        match = resolver.resolve(path)
    except Resolver404:
        return False
    return bool(set(match.namespaces) & set(namespaces)) or match.view_name in names


def _is_storable(response: HttpResponse) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    vary = {header.lower() for header in cc_delim_re.split(response.get("Vary", "")) if header}
    if "cookie" in vary or "*" in vary:  # the page read the session or the CSRF token
        return False
    cache_control = response.get("Cache-Control", "").lower()
    return not any(word in cache_control for word in ("private", "no-store", "no-cache"))


def _gzip_copy(response: HttpResponse) -> bytes | None:
    """The page gzipped (fixed mtime, so every process makes the same bytes), or None if not worth it."""
    if response.has_header("Content-Encoding") or len(response.content) < _MIN_COMPRESSIBLE:
        return None
    compressed = gzip.compress(response.content, compresslevel=6, mtime=0)
    return compressed if len(compressed) < len(response.content) else None


def _mark_public(response: HttpResponse, state: str) -> HttpResponse:
    patch_cache_control(response, public=True, max_age=settings.PUBLIC_CACHE_MAX_AGE)
    # Added on the way out, after the copy is stored: downstream caches keep a copy per currency too.
    patch_vary_headers(response, ("Accept-Encoding", *settings.PUBLIC_CACHE_VARY))
    response["X-Cache"] = state
    return response


class PublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            not settings.PUBLIC_CACHE_ENABLED
            or request.method not in ("GET", "HEAD")
            or _may_be_personal(request)
            or not _is_public_page(request)
        ):
            return self.get_response(request)

        key = _page_key(request)
        # Read before rendering: if staff save while we render, this copy is already stale.
        version = _current_version()
        entry = _cached_entry(key, version)
        if entry is not None:
            return self._replay(request, entry)

        response = self.get_response(request)
        if request.method == "GET" and _is_storable(response):
            headers = [(name, response[name]) for name in _STORED_HEADERS if name in response]
            entry = (version, headers, response.content, _gzip_copy(response))
            cache.set(key, entry, timeout=settings.PUBLIC_CACHE_TIMEOUT)
            local_copies.set(key, entry, timeout=settings.PUBLIC_CACHE_TIMEOUT)
            return _mark_public(response, "MISS")
        return response

    @staticmethod
    def _replay(request: HttpRequest, entry: tuple) -> HttpResponse:
        _version, headers, content, compressed = entry
        gzipped = compressed is not None and _ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", ""))
        body = compressed if gzipped else content
        response = HttpResponse(b"" if request.method == "HEAD" else body)
        for name, value in headers:
            response[name] = value
        if gzipped:
            response["Content-Encoding"] = "gzip"
        response["Content-Length"] = str(len(body))
        return _mark_public(response, "HIT")
