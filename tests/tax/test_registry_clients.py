"""The real VIES and HMRC clients against recorded answers, served over HTTP by a local server."""

import datetime as dt
import time

import pytest

from tax import hmrc
from tax.registry import check
from tests.tax.conftest import HMRC_TOKEN

VIES_DE = "/vies/ms/DE/vat/136695976"
HMRC_GB = "/hmrc/organisations/vat/check-vat-number/lookup/553557881"
HMRC_ACCESS_TOKEN = "QGbWG8KckncuwwD4uYXgWxF4HQvuPmrmUqKgkpQP"  # tests/tax/recordings/hmrc_token.json


def test_vies_registered_number_is_valid_with_its_reference(registry_server):
    registry_server.play(VIES_DE, "vies_valid")

    answer = check("DE", "DE 136 695 976")

    assert answer.valid is True
    assert answer.reference == "WAPIAAAAXyz123"
    assert answer.consulted_at == dt.datetime(2026, 12, 7, 10, 15, 30, 123000, tzinfo=dt.UTC)
    assert answer.name == ""  # VIES's "---" (not disclosed) is no name
    assert registry_server.requests[0][0] == VIES_DE


def test_vies_name_and_address_are_kept_on_one_line(registry_server):
    registry_server.play("/vies/ms/FR/vat/40303265045", "vies_valid_fr")

    answer = check("FR", "FR40303265045")

    assert (answer.valid, answer.name, answer.address) == (
        True,
        "SA ODIGEO FRANCE",
        "1 RUE EXEMPLE, 75001 PARIS",
    )


def test_vies_greek_numbers_are_asked_under_el(registry_server):
    registry_server.play("/vies/ms/EL/vat/094014201", "vies_invalid")

    assert check("GR", "094014201").valid is False


def test_vies_unregistered_number_is_invalid(registry_server):
    registry_server.play("/vies/ms/DE/vat/123456788", "vies_invalid")

    answer = check("DE", "DE123456788")

    assert answer.valid is False
    assert "not registered" in answer.error
    assert answer.retry_later is False


@pytest.mark.parametrize("recording", ["vies_ms_unavailable", "vies_error_wrapper", None])
def test_vies_down_or_slow_is_could_not_check_never_invalid(registry_server, recording):
    registry_server.play(VIES_DE, recording)

    answer = check("DE", "DE136695976")

    assert answer.valid is None
    assert answer.retry_later is True
    assert answer.error.startswith("Could not check")


def test_hmrc_registered_number_is_valid_with_name_and_address(registry_server):
    registry_server.play(HMRC_GB, "hmrc_valid")

    answer = check("GB", "GB553557881")

    assert answer.valid is True
    assert answer.name == "Credite Sberger Donal Inc."
    assert answer.address == "131B Barton Hamlet, SW97 5CK, GB"
    headers = registry_server.requests[0][1]
    assert headers["Accept"] == "application/vnd.hmrc.2.0+json"
    assert headers["Authorization"] == f"Bearer {HMRC_ACCESS_TOKEN}"


def test_hmrc_not_found_is_invalid(registry_server):
    registry_server.play(HMRC_GB, "hmrc_not_found")

    answer = check("GB", "553557881")

    assert answer.valid is False
    assert answer.retry_later is False


@pytest.mark.parametrize("recording", ["hmrc_unauthorised", "hmrc_server_error", None])
def test_hmrc_errors_and_timeouts_are_could_not_check(registry_server, recording):
    registry_server.play(HMRC_GB, recording)

    answer = check("GB", "GB553557881")

    assert (answer.valid, answer.retry_later) == (None, True)


def test_hmrc_without_credentials_is_not_asked(registry_server, settings):
    settings.HMRC_CLIENT_SECRET = ""

    answer = check("GB", "GB553557881")

    assert (answer.valid, answer.retry_later) == (None, True)
    assert "HMRC_CLIENT_ID and HMRC_CLIENT_SECRET" in answer.error
    assert registry_server.requests == [] and registry_server.posted == []


def test_hmrc_token_comes_from_the_client_credentials_grant_and_is_kept_until_it_expires(registry_server):
    registry_server.play(HMRC_GB, "hmrc_valid")

    first = check("GB", "GB553557881")
    second = check("GB", "GB553557881")

    assert first.valid is True and second.valid is True
    ((path, fields),) = registry_server.posted  # one token for both checks
    assert path == HMRC_TOKEN
    assert fields == {
        "client_id": ["test-client"],
        "client_secret": ["test-secret"],
        "grant_type": ["client_credentials"],
        "scope": ["read:vat"],
    }
    # Kept for HMRC's 4 hours less a margin, never longer.
    left = hmrc._token.expires_at - time.monotonic()
    assert 14400 - hmrc.TOKEN_MARGIN.total_seconds() - 5 < left <= 14400 - hmrc.TOKEN_MARGIN.total_seconds()


def test_an_expired_hmrc_token_is_replaced(registry_server):
    registry_server.play(HMRC_GB, "hmrc_valid")
    check("GB", "GB553557881")
    hmrc._token.expires_at = time.monotonic() - 1

    assert check("GB", "GB553557881").valid is True
    assert len(registry_server.posted) == 2


def test_a_token_hmrc_refuses_is_dropped_so_the_retry_asks_for_a_new_one(registry_server):
    registry_server.play(HMRC_GB, "hmrc_unauthorised")
    refused = check("GB", "GB553557881")
    registry_server.play(HMRC_GB, "hmrc_valid")

    again = check("GB", "GB553557881")

    assert (refused.valid, refused.retry_later) == (None, True)
    assert again.valid is True and len(registry_server.posted) == 2


def test_no_token_from_hmrc_is_could_not_check_and_no_lookup_is_made(registry_server):
    registry_server.play(HMRC_TOKEN, "hmrc_token_invalid_client")

    answer = check("GB", "GB553557881")

    assert (answer.valid, answer.retry_later) == (None, True)
    assert "invalid_client" in answer.error and "test-secret" not in answer.error
    assert registry_server.requests == []


def test_a_malformed_number_is_invalid_without_asking(registry_server):
    answer = check("DE", "DE12345")

    assert answer.valid is False
    assert registry_server.requests == []


def test_off_asks_nobody(registry_server, settings):
    settings.TAX_ID_REGISTRY = "off"

    answer = check("DE", "DE136695976")

    assert (answer.valid, answer.retry_later) == (None, False)
    assert registry_server.requests == []
