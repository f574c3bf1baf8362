"""Which network addresses count as the public internet: outgoing webhooks and chat
notifications refuse the others in production, so a URL cannot make the server call
into its own network (server-side request forgery)."""

from __future__ import annotations

import ipaddress
import socket


def resolve(host: str, port: int = 0) -> list[str]:
    """The addresses `host` resolves to, in order, without repeats (an IP literal
    resolves to itself). Raises OSError or UnicodeError when it does not resolve."""
    infos = socket.getaddrinfo(host.strip("[]"), port or None, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def not_public(address: str) -> bool:
    """Private, loopback, link-local, reserved, multicast, unspecified, shared (CGNAT),
    and IPv4 addresses dressed as IPv6 ones: anything that is not the public internet."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast
