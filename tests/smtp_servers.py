"""Real local SMTP servers for fault tests: a working sink (aiosmtpd), one that accepts the connection and
never answers, one that answers its greeting with a refusal (421/554), and an address that refuses the TCP
connection outright. Each binds 127.0.0.1 on a free port and is a context manager:

    with SmtpSink() as sink:                       # sink.port, sink.messages (email.message.EmailMessage)
        settings.EMAIL_PORT = sink.port
    with SilentSmtpServer() as silent:             # silent.connections: how many it accepted
    with RefusingSmtpServer(code=421) as refusing:  # greets "421 ..." and hangs up
    with ClosedPort() as closed:                   # bound, not listening: connecting gets ECONNREFUSED
"""

import email
import email.policy
import select
import socket
import threading
import time
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Collector:
    """aiosmtpd handler: keeps every message; answers `reject_data` (e.g. "554 ...") to the next
    `rejections` messages first."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.rejections = 0
        self.reject_data = "554 5.3.0 Transaction failed"
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:
        with self.lock:
            if self.rejections > 0:
                self.rejections -= 1
                return self.reject_data
            message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
            message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
            self.messages.append(message)
        return "250 OK"


class SmtpSink:
    """A working SMTP server (aiosmtpd) that collects what it receives."""

    def __init__(self) -> None:
        self.handler = _Collector()
        self.controller: Controller | None = None
        self.port = 0

    def __enter__(self) -> "SmtpSink":
        for _ in range(5):
            self.port = free_port()
            self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, ready_timeout=5)
            try:
                self.controller.start()
                break
            except OSError:  # someone took the port between probing and binding: try another
                self.controller = None
        assert self.controller is not None, "could not start the SMTP sink"
        return self

    def __exit__(self, *exc) -> None:
        if self.controller is not None:
            self.controller.stop()

    @property
    def messages(self) -> list[EmailMessage]:
        with self.handler.lock:
            return list(self.handler.messages)

    def reject_next(self, times: int = 1, answer: str = "554 5.3.0 Transaction failed") -> None:
        """Answer the next `times` messages' DATA with `answer` instead of accepting them."""
        with self.handler.lock:
            self.handler.rejections = times
            self.handler.reject_data = answer


class _RawServer:
    """A listening socket served by one thread; subclasses say what happens to each connection."""

    def __init__(self) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True, name=type(self).__name__)
        self._lock = threading.Lock()
        self.connections = 0

    def __enter__(self):
        self._socket.listen(16)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._socket.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            readable, _, _ = select.select([self._socket], [], [], 0.02)
            if readable:
                conn, _ = self._socket.accept()
                with self._lock:
                    self.connections += 1
                self._handle(conn)
            self._tick()

    def _handle(self, conn: socket.socket) -> None:
        raise NotImplementedError

    def _tick(self) -> None:
        pass


class SilentSmtpServer(_RawServer):
    """Accepts connections and never says a word. Hangs up after `hold_for` seconds, so a client without a
    timeout fails a test slowly instead of hanging it forever."""

    def __init__(self, hold_for: float = 10.0) -> None:
        super().__init__()
        self.hold_for = hold_for
        self._held: list[tuple[float, socket.socket]] = []

    def _handle(self, conn: socket.socket) -> None:
        self._held.append((time.monotonic(), conn))

    def _tick(self) -> None:
        now = time.monotonic()
        for accepted, conn in list(self._held):
            if now - accepted > self.hold_for:
                conn.close()
                self._held.remove((accepted, conn))

    def __exit__(self, *exc) -> None:
        super().__exit__(*exc)
        for _, conn in self._held:
            conn.close()


class RefusingSmtpServer(_RawServer):
    """Greets every connection with a refusal (`421 Service not available`, `554 No SMTP service`) and
    hangs up, as a mail server that is overloaded or blocks us does."""

    def __init__(self, code: int = 421) -> None:
        super().__init__()
        self.code = code

    def _handle(self, conn: socket.socket) -> None:
        text = "Service not available, closing channel" if self.code == 421 else "No SMTP service here"
        try:
            conn.sendall(f"{self.code} 127.0.0.1 {text}\r\n".encode())
        finally:
            conn.close()


class ClosedPort:
    """A port bound on 127.0.0.1 with nothing listening: every connection is refused (ECONNREFUSED), and no
    other server can take the port while the test runs."""

    def __init__(self) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        self.connections = 0

    def __enter__(self) -> "ClosedPort":
        return self

    def __exit__(self, *exc) -> None:
        self._socket.close()
