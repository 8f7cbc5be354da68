"""A claim link gives a seat to whatever address is typed, so it never signs the browser in as that address
(issue 33): the seat goes to the address, the address gets its access email, and only that email's link
opens the purchases page."""

import re

import pytest
from django.core import mail
from django.test import Client

from access.models import Grant
from access.sessions import SESSION_EMAIL
from teams import claims
from tests.access.conftest import run_ready_tasks

pytestmark = pytest.mark.django_db

PERSONAL_LINK = re.compile(r"http://testserver(/purchases/open/[^/\s?]+/)")


def test_a_claim_with_someone_elses_address_signs_nobody_in(paid_order):
    order = paid_order("resume-kit", 2, email="lead@example.com")
    path = f"/purchases/claim/{claims.claim_token(Grant.objects.get(order=order, seat=2))}/"
    mail.outbox.clear()
    stranger = Client()

    claimed = stranger.post(path, {"name": "Vic", "email": "victim@corp.example"})
    run_ready_tasks()
    page = stranger.get("/purchases/")

    assert claimed.status_code == 200
    assert SESSION_EMAIL not in stranger.session
    assert "Your access details went to victim@corp.example" in claimed.text
    assert "victim@corp.example" not in page.text and "Signed in as" not in page.text
    assert Grant.objects.get(order=order, seat=2).holder_email == "victim@corp.example"
    [access_email] = [m for m in mail.outbox if m.to == ["victim@corp.example"]]
    [link] = PERSONAL_LINK.findall(access_email.body)
    victim = Client()
    victim.post(link)
    assert "Signed in as victim@corp.example" in victim.get("/purchases/").text
