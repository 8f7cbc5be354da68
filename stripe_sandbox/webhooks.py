"""Webhook delivery as Stripe does it: each event POSTed as JSON to one endpoint, signed with the endpoint's
secret (`Stripe-Signature`, signed afresh on every attempt), and tried again later when the endpoint does
not answer 2xx. Stripe keeps retrying for three days; the sandbox gives up after a few attempts a minute
apart at most, which is enough for a development server that restarts."""

import heapq
import itertools
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from stripe_sandbox.events import sign_payload

USER_AGENT = "Stripe/1.0 (+https://stripe.com/docs/webhooks)"


@dataclass
class Delivery:
    """One event on its way to the endpoint, and what the endpoint answered last."""

    event_id: str
    event_type: str
    attempts: int = 0
    outcome: str = "waiting"
    delivered: bool = False


class WebhookSender:
    """A thread that delivers events in the order they are due; a failed attempt is due again after
    `first_retry` seconds, then twice as long each time, up to `max_attempts` attempts in all."""

    def __init__(
        self,
        url: str,
        secret: str,
        *,
        max_attempts: int = 6,
        first_retry: float = 2.0,
        timeout: float = 10.0,
        log: Callable[[str], None] | None = None,
    ) -> None:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"The webhook endpoint must be an http(s) URL, not {url!r}.")
        self.url = url
        self.secret = secret
        self.max_attempts = max_attempts
        self.first_retry = first_retry
        self.timeout = timeout
        self.log = log or (lambda line: None)
        self.deliveries: list[Delivery] = []
        self._due: list[tuple[float, int, Delivery, bytes]] = []
        self._order = itertools.count()
        self._wakeup = threading.Condition()
        self._stopping = False
        # Never through a proxy from the environment: the endpoint is the app on this machine.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        self._thread = threading.Thread(target=self._run, name="sandbox-webhooks", daemon=True)
        self._thread.start()

    def send(self, event: dict[str, Any]) -> Delivery:
        delivery = Delivery(event_id=event["id"], event_type=event["type"])
        body = json.dumps(event, indent=2).encode()
        with self._wakeup:
            self.deliveries.append(delivery)
            heapq.heappush(self._due, (time.monotonic(), next(self._order), delivery, body))
            self._wakeup.notify()
        return delivery

    def stop(self) -> None:
        with self._wakeup:
            self._stopping = True
            self._wakeup.notify()
        self._thread.join(timeout=self.timeout + 1)

    def _run(self) -> None:
        while True:
            with self._wakeup:
                while not self._stopping and (not self._due or self._due[0][0] > time.monotonic()):
                    self._wakeup.wait(self._due[0][0] - time.monotonic() if self._due else None)
                if self._stopping:
                    return
                _, _, delivery, body = heapq.heappop(self._due)
            self._attempt(delivery, body)
            if not delivery.delivered and delivery.attempts < self.max_attempts:
                delay = self.first_retry * 2 ** (delivery.attempts - 1)
                with self._wakeup:
                    heapq.heappush(self._due, (time.monotonic() + delay, next(self._order), delivery, body))

    def _attempt(self, delivery: Delivery, body: bytes) -> None:
        request = urllib.request.Request(  # noqa: S310 (an http(s) URL: checked in __init__)
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": USER_AGENT,
                "Stripe-Signature": sign_payload(body, self.secret),
            },
        )
        delivery.attempts += 1
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                answer = response.read(200).decode(errors="replace").strip()
                delivery.outcome = f"{response.status} {answer}".strip()
                delivery.delivered = True
        except urllib.error.HTTPError as error:
            answer = error.read(200).decode(errors="replace").strip()
            delivery.outcome = f"{error.code} {answer}".strip()
        except (OSError, ValueError) as error:  # refused, timed out, reset; URLError is an OSError
            delivery.outcome = f"no answer ({getattr(error, 'reason', error)})"
        retry = "" if delivery.delivered or delivery.attempts >= self.max_attempts else ", will retry"
        self.log(
            f"webhook {delivery.event_type} {delivery.event_id} → {delivery.outcome} "
            f"(attempt {delivery.attempts}{retry})"
        )
