"""One JSON object per log line, so log shippers can parse every line without guessing; and no line carries
a link that grants access (`redact_links`, used here and by gunicorn's access log)."""

import json
import logging
import re
from datetime import UTC, datetime

REDACTED = "…"
# Path prefixes whose next segment is a capability: whoever holds the link holds the access (sign-in, claim,
# seat, personal purchases, download, payment request and summary opt-out links). tests/config/test_log_redaction.py walks the
# URL patterns and fails on a new route whose parameter is a token and is not covered here.
CAPABILITY_PREFIXES = (
    "purchases/sign-in",
    "purchases/claim",
    "purchases/seats",
    "purchases/open",
    "access/download",
    "pay-request",
    "seat-summary/stop",
)


def _spelled_any_way(prefix: str) -> str:
    """A pattern for `/prefix/` however a visitor spells it: a path that differs only in letter case, in
    doubled slashes or in percent-encoded characters is a 404 (or is decoded later), and is logged as typed."""
    slash = r"(?:/|%2f)+"
    chars = [slash if c == "/" else f"(?:{re.escape(c)}|%{ord(c):02x})" for c in prefix]
    return slash + "".join(chars) + slash


_TOKEN_SEGMENT = re.compile(
    "(" + "|".join(_spelled_any_way(prefix) for prefix in CAPABILITY_PREFIXES) + r")[^/?#\s\"'<>]+",
    re.IGNORECASE,
)
# Query values that identify a buyer's checkout or carry a token, wherever a URL is written out.
_TOKEN_QUERY = re.compile(r"([?&](?:session_id|token|key|signature)=)[^&#\s\"'<>]+", re.IGNORECASE)


def redact_links(text: str) -> str:
    """`text` with every token in a path or query replaced by …: `/purchases/sign-in/…/`."""
    if "/" not in text and "=" not in text and "%" not in text:
        return text
    return _TOKEN_QUERY.sub(rf"\1{REDACTED}", _TOKEN_SEGMENT.sub(rf"\1{REDACTED}", text))


class RedactLinksFilter(logging.Filter):
    """For loggers whose lines are not formatted by JsonFormatter (gunicorn's error log)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = redact_links(record.getMessage()), ()
        return True


# Attributes every LogRecord has; anything else on a record came from `extra=` and is logged as a field.
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}
# Django attaches the whole request to some records; its headers and body must never reach the logs.
_NEVER_LOGGED = frozenset({"request", "server_time"})


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact_links(record.getMessage()),
        }
        for key, value in vars(record).items():
            if key not in _RECORD_ATTRIBUTES and key not in _NEVER_LOGGED and key not in entry:
                entry[key] = redact_links(value) if isinstance(value, str) else value
        if record.exc_info:
            entry["exception"] = redact_links(self.formatException(record.exc_info))
        return json.dumps(entry, default=str, ensure_ascii=False)
