"""The client's address: one answer for every per-address rate limit, the admin lockout's records and the logs.

`REMOTE_ADDR` is the peer that opened the connection. Behind a load balancer that peer is the balancer for
every visitor, so per-address limits would collapse into one shop-wide limit. `X-Forwarded-For` names the
chain, but any client can write it, so it is believed only when the peer is one of `TRUSTED_PROXIES`, and
then read from the right (the entries our own proxies appended), skipping every trusted proxy: the first
address that is not one is the client. An entry that is not an address (a forged or mangled header) ends
the walk there, and the last address our proxies vouched for is the answer; nothing left of it is believed.
"""

import functools
import ipaddress
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.http import HttpRequest

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(values: Iterable[str]) -> tuple[Network, ...]:
    """`10.0.0.0/8`, `192.0.2.7`, `2001:db8::/32` as networks; raises ValueError on anything else."""
    return tuple(ipaddress.ip_network(value.strip(), strict=False) for value in values if value.strip())


def _address(value: str) -> Address | None:
    """An address as a proxy may write it (`203.0.113.9`, `203.0.113.9:51234`, `[2001:db8::1]:443`), or
    None for anything that is not one."""
    value = value.strip()
    if value.startswith("["):
        value = value[1:].partition("]")[0]
    elif value.count(":") == 1:
        value = value.partition(":")[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def client_address(remote_addr: str, forwarded_for: str, trusted: Sequence[Network]) -> str:
    """The client behind `remote_addr`: itself unless it is a trusted proxy, else the rightmost address of
    `forwarded_for` that is not a trusted proxy. "" when `remote_addr` is no address at all."""
    peer = _address(remote_addr or "")
    if peer is None:
        return ""

    def is_trusted(address: Address) -> bool:
        return any(address in network for network in trusted)

    client = peer
    if not is_trusted(peer):
        return str(peer)
    for entry in reversed((forwarded_for or "").split(",")):
        address = _address(entry)
        if address is None:
            break
        client = address
        if not is_trusted(address):
            break
    return str(client)


@functools.lru_cache(maxsize=8)
def _trusted(values: tuple[str, ...]) -> tuple[Network, ...]:
    return parse_networks(values)


def trusted_proxies() -> tuple[Network, ...]:
    return _trusted(tuple(settings.TRUSTED_PROXIES))


def client_ip(request: HttpRequest) -> str:
    """The client address of `request` (also django-axes' AXES_CLIENT_IP_CALLABLE)."""
    return client_address(
        request.META.get("REMOTE_ADDR", ""), request.META.get("HTTP_X_FORWARDED_FOR", ""), trusted_proxies()
    )


def client_ip_from_environ(environ: dict) -> str:
    """The same, from a WSGI environ (gunicorn's access log)."""
    return client_address(
        environ.get("REMOTE_ADDR") or "", environ.get("HTTP_X_FORWARDED_FOR") or "", trusted_proxies()
    )
