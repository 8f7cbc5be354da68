"""The contract in docs/payments.md: the course-platform events section sits beside the enrolment webhook's,
carries the same verification snippet, and that snippet accepts what the shop's own signing makes and
refuses a forged or stale signature."""

import re
import time
from pathlib import Path

from common.signatures import sign, verify

DOC = Path(__file__).resolve().parents[2] / "docs" / "payments.md"
SNIPPET = re.compile(r"```python\n(.*?def verify_cpma_signature.*?)```", re.S)


def _sections() -> tuple[str, str]:
    text = DOC.read_text()
    enrolment = text.index("## Course enrolment webhook")
    events = text.index("## Course-platform events")
    after = text.index("\n## ", events + 1)
    return text[enrolment:events], text[events:after]


def test_the_events_section_follows_the_enrolment_webhook_and_shares_its_snippet():
    enrolment, events = _sections()

    [theirs], [ours] = SNIPPET.findall(enrolment), SNIPPET.findall(events)
    assert ours == theirs
    assert "POST /course-platform/events/" in events and "COURSE_PLATFORM_EVENTS_SECRET" in events
    assert "404" in events
    for type_ in (
        "learner.started",
        "learner.progressed",
        "learner.passed",
        "certificate.issued",
        "certificate.revoked",
    ):
        assert f"`{type_}`" in events


def test_the_documented_snippet_checks_the_shops_signature():
    [code] = SNIPPET.findall(_sections()[1])
    namespace: dict = {}
    exec(code, namespace)  # noqa: S102  (our own documentation)
    check = namespace["verify_cpma_signature"]
    body, secret = b'{"id":"evt_1"}', "shared-secret"

    genuine = sign(body, secret)
    assert check(genuine, body, secret) and verify(body, genuine, secret)
    assert not check(sign(body, "another-secret"), body, secret)
    assert not check(genuine, body + b" ", secret)
    assert not check(sign(body, secret, int(time.time()) - 301), body, secret)
    assert not check("t=garbage", body, secret)
