import csv
import io

import pytest
from django.contrib.auth.models import User

from tests.factories import make_staff


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """These tests create several users; the real hasher is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def finance_user(db) -> User:
    return make_staff("finance", group="Finance")


@pytest.fixture
def finance_client(client, finance_user):
    client.force_login(finance_user)
    return client


@pytest.fixture
def editor_client(client, db):
    client.force_login(make_staff("editor", group="Catalogue editors"))
    return client


def read_csv(text: str) -> list[dict[str, str]]:
    """Parse exported CSV text into dicts keyed by the header."""
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def streamed_text(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8")


# Finance tests that drive real payments through the fake Stripe server reuse checkout's fixtures.
from tests.checkout.conftest import buy, deliver_event, fake_stripe, stripe_server  # noqa: E402, F401
