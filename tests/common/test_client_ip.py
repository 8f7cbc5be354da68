"""One client address (common.client_ip): REMOTE_ADDR unless it is a trusted proxy, then X-Forwarded-For
read from the right past the trusted proxies; forged and mangled headers never move it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import RequestFactory

from common.client_ip import client_address, client_ip, parse_networks

ROOT = Path(__file__).resolve().parents[2]

BALANCERS = parse_networks(["10.0.0.0/8", "2001:db8:ffff::/48"])


def test_without_trusted_proxies_the_client_is_the_peer_whatever_the_header_says():
    assert client_address("203.0.113.9", "198.51.100.1", ()) == "203.0.113.9"
    assert client_address("203.0.113.9", "", ()) == "203.0.113.9"


def test_from_an_untrusted_peer_a_forged_forwarded_for_is_ignored():
    assert client_address("203.0.113.9", "10.0.0.1, 198.51.100.1", BALANCERS) == "203.0.113.9"


def test_behind_a_trusted_proxy_the_client_is_the_address_the_proxy_saw():
    assert client_address("10.0.0.5", "198.51.100.7", BALANCERS) == "198.51.100.7"


def test_the_header_is_read_from_the_right_so_a_client_cannot_prepend_another_address():
    forged_by_client = "192.0.2.1, 198.51.100.7"  # the client wrote 192.0.2.1; the balancer appended .7

    assert client_address("10.0.0.5", forged_by_client, BALANCERS) == "198.51.100.7"


def test_every_trusted_proxy_in_the_chain_is_skipped():
    chain = "198.51.100.7, 10.1.2.3, 10.9.9.9"

    assert client_address("10.0.0.5", chain, BALANCERS) == "198.51.100.7"


@pytest.mark.parametrize(
    "header",
    ["", "   ", ",,,", "unknown", "not-an-ip, ", "198.51.100.7, garbage", "\x00\xff", "1.2.3.4.5", "🙂"],
)
def test_a_mangled_header_behind_a_trusted_proxy_falls_back_to_the_last_address_vouched_for(header):
    assert client_address("10.0.0.5", header, BALANCERS) == "10.0.0.5"


def test_garbage_left_of_the_client_is_never_reached():
    assert client_address("10.0.0.5", "garbage, 198.51.100.7", BALANCERS) == "198.51.100.7"


def test_ports_brackets_and_mapped_addresses_are_read_as_addresses():
    assert client_address("10.0.0.5", "198.51.100.7:51234", BALANCERS) == "198.51.100.7"
    assert client_address("10.0.0.5", "[2001:db8::1]:443", BALANCERS) == "2001:db8::1"
    assert client_address("::ffff:10.0.0.5", "198.51.100.7", BALANCERS) == "198.51.100.7"
    assert client_address("2001:db8:ffff::2", "2001:db8::1", BALANCERS) == "2001:db8::1"


def test_a_peer_that_is_no_address_gives_no_address():
    assert client_address("", "198.51.100.7", BALANCERS) == ""
    assert client_address("unix:/run/gunicorn.sock", "198.51.100.7", BALANCERS) == ""


def test_the_request_function_reads_the_trusted_proxies_setting(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.7")

    settings.TRUSTED_PROXIES = []
    assert client_ip(request) == "10.0.0.5"
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_ip(request) == "198.51.100.7"


def test_a_malformed_trusted_proxies_setting_stops_start_up():
    started = subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        cwd=ROOT,
        env={**os.environ, "DEBUG": "true", "TRUSTED_PROXIES": "10.0.0.0/8,load-balancer"},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert started.returncode != 0
    assert "TRUSTED_PROXIES must list IP addresses" in started.stderr
