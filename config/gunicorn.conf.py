"""gunicorn settings for production and `make serve`: `gunicorn --config config/gunicorn.conf.py config.wsgi`.

Each value can be overridden from the environment (GUNICORN_BIND, WEB_CONCURRENCY, GUNICORN_THREADS,
GUNICORN_TIMEOUT) or on the command line.
"""

import json
import os
from datetime import UTC, datetime

from gunicorn.glogging import Logger

from common.client_ip import client_ip_from_environ
from config.logging import (
    RedactLinksFilter,
    redact_links,
)  # gunicorn runs from the project directory (--chdir, WorkingDirectory)


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))  # what this container may use, not the host's total
    except AttributeError:
        return os.cpu_count() or 1


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Two processes per core with two threads each: processes spread the Python work over the cores (one GIL
# each), threads overlap database and Stripe waits. On 2 cores this beat 2x4 and 2x8 in scripts/bench_pages.sh.
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * _cpu_count()))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak can never take a server down.
max_requests = 20_000
max_requests_jitter = 2_000
# Requests never carry big headers here; refuse oversized request lines and headers early.
limit_request_line = 8190
limit_request_field_size = 8190

accesslog = "-"  # stdout, one JSON line per request (JsonAccessLogger below)
errorlog = "-"  # stderr: server start, worker restarts, crashes


def _client(environ: dict) -> str | None:
    """The client address by common.client_ip; None before Django's settings are loaded."""
    try:
        return client_ip_from_environ(environ)
    except Exception:  # settings not configured (gunicorn's master): a log line must never fail
        return None


class JsonAccessLogger(Logger):
    """One JSON line per request. Deliberately without query string, cookies, referrer or any other
    header that may hold a token, and with the tokens in paths replaced by … (`/purchases/sign-in/…/`):
    paths and status codes are enough to operate the shop."""

    def setup(self, cfg):
        super().setup(cfg)
        # A malformed request is reported with its request line, which may hold a link's token.
        self.error_log.addFilter(RedactLinksFilter())

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        entry = {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "level": "INFO",
            "logger": "access",
            "method": environ.get("REQUEST_METHOD"),
            "path": redact_links(environ.get("PATH_INFO") or ""),
            "status": int(status),
            "bytes": getattr(resp, "sent", None),
            "duration_ms": round(request_time.total_seconds() * 1000, 2),
            # The client as the rate limits see it (TRUSTED_PROXIES), then the raw peer and header.
            "client": _client(environ),
            "remote_addr": environ.get("REMOTE_ADDR"),
            "forwarded_for": environ.get("HTTP_X_FORWARDED_FOR"),
            "user_agent": environ.get("HTTP_USER_AGENT"),
        }
        try:
            self.access_log.info(json.dumps(entry, ensure_ascii=False))
        except Exception:  # a log line must never fail a request
            self.error("access log: could not write an entry")


logger_class = JsonAccessLogger
# No runtime control socket: nothing uses it, and several instances on one machine would share its path.
control_socket_disable = True


def on_starting(server):
    cache_url = os.environ.get("CACHE_URL", "")
    if server.cfg.workers > 1 and (not cache_url or cache_url.startswith("locmem")):
        server.log.warning(
            "CACHE_URL is local memory, so each of the %d workers keeps its own page cache and a staff edit "
            "may take PUBLIC_CACHE_TIMEOUT seconds to reach the others. Set CACHE_URL=redis://...",
            server.cfg.workers,
        )
