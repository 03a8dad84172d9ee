"""The outbound address guard: task-controlled connections may not reach Hub's own network.

HTTP actions, the ``url`` file generator, resources fetched while rendering PDFs
and FTP/SFTP connections take their targets from task code and event data, so a
task could otherwise read cloud metadata, admin ports or other internal services
(server-side request forgery). Every such connection resolves its host here,
checks each resolved address, and connects to the checked address itself, so a
DNS answer that changes between the check and the connect (DNS rebinding)
cannot slip through. Redirect hops and proxies go through the same check because
each of them opens a new connection.

``HUB_HTTP_ALLOW_PRIVATE`` (comma-separated networks such as ``10.1.0.0/16`` or
``127.0.0.1``, and/or host names such as ``erp.internal``) lets self-hosters
reach internal targets. Operator-configured URLs (the Shopify client, the SMTP
server) do not use this module.
"""

import ipaddress
import re
import socket
from collections.abc import Iterable
from typing import Any

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Checked in order; the first match names the reason. Metadata endpoints come first so that
# 169.254.169.254 is reported as what it is rather than as a link-local address.
CLOUD_METADATA = frozenset(
    ipaddress.ip_address(address)
    for address in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean
        "169.254.170.2",  # AWS ECS task metadata
        "169.254.169.253",  # AWS DNS resolver
        "100.100.100.200",  # Alibaba Cloud
        "fd00:ec2::254",  # AWS over IPv6
    )
)
REFUSED_NETWORKS: tuple[tuple[str, str], ...] = (
    ("0.0.0.0/8", "unspecified address"),
    ("::/128", "unspecified address"),
    ("127.0.0.0/8", "loopback address"),
    ("::1/128", "loopback address"),
    ("10.0.0.0/8", "private address"),
    ("172.16.0.0/12", "private address"),
    ("192.168.0.0/16", "private address"),
    ("100.64.0.0/10", "shared (carrier-grade NAT) address"),
    ("fc00::/7", "private address"),
    ("169.254.0.0/16", "link-local address"),
    ("fe80::/10", "link-local address"),
    ("224.0.0.0/4", "multicast address"),
    ("ff00::/8", "multicast address"),
    ("240.0.0.0/4", "reserved address"),
    ("192.0.0.0/24", "reserved address"),
    ("198.18.0.0/15", "reserved address"),
)
_REFUSED = tuple((ipaddress.ip_network(network), reason) for network, reason in REFUSED_NETWORKS)


class AddressRefused(Exception):
    """A connection to an internal address was refused; ``str()`` names the address and why.

    Deliberately not an ``OSError``: urllib3 and requests would wrap an ``OSError``
    into a generic connection error (and retry it), while a refusal must reach the
    caller as it is and must not be retried.
    """

    def __init__(self, address: str, reason: str) -> None:
        self.address = address
        self.reason = reason
        super().__init__(f"refused to connect to {address} ({reason}); allow it with HUB_HTTP_ALLOW_PRIVATE")


# IPv6 prefixes whose last 32 bits carry an IPv4 address: NAT64 (well-known and local-use,
# RFC 6052 / 8215), IPv4-translated (RFC 2765), and the deprecated IPv4-compatible form.
EMBEDDING_NETWORKS = tuple(
    ipaddress.ip_network(network)
    for network in ("64:ff9b::/96", "64:ff9b:1::/48", "::ffff:0:0:0/96", "::/96")
)


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address wraps, or None: IPv4-mapped (``::ffff:a.b.c.d``), 6to4
    (``2002::/16``), Teredo (``2001::/32``, its client address), NAT64, IPv4-translated and
    IPv4-compatible forms (``EMBEDDING_NETWORKS``; ``::`` and ``::1`` excepted)."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if int(address) > 1 and any(address in network for network in EMBEDDING_NETWORKS):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def refusal_reason(address: IPAddress) -> str | None:
    """Why ``address`` is internal (``"loopback address"``...), or None for a public address.

    An IPv4 address wrapped in an IPv6 one (``embedded_ipv4``: mapped, 6to4, Teredo, NAT64,
    translated, compatible) is judged as that IPv4 address, so ``::ffff:127.0.0.1`` and
    ``64:ff9b::7f00:1`` count as loopback.
    """
    if isinstance(address, ipaddress.IPv6Address):
        address = embedded_ipv4(address) or address
    if address in CLOUD_METADATA:
        return "cloud metadata address"
    for network, reason in _REFUSED:
        if address.version == network.version and address in network:
            return reason
    return None


AllowedNetwork = tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, int | None]
PORTED = re.compile(r"^\[(?P<bracketed>[^\]]+)\](?::(?P<port6>\d+))?$|^(?P<plain>[^:\[\]]+):(?P<port>\d+)$")


def _split_port(entry: str) -> tuple[str, int | None]:
    """``127.0.0.1:8080`` → ``("127.0.0.1", 8080)``, ``[::1]:8080`` → ``("::1", 8080)``,
    ``host:9000`` → ``("host", 9000)``; anything else has no port."""
    match = PORTED.match(entry)
    if match is None:
        return entry, None
    port = match["port6"] or match["port"]
    return (match["bracketed"] or match["plain"]), (int(port) if port else None)


def allow_list() -> tuple[list[AllowedNetwork], dict[str, set[int] | None]]:
    """``HUB_HTTP_ALLOW_PRIVATE`` split into ``(network, port or None)`` pairs and lowercased
    host names with their ports (None: any port).

    The setting is a list of strings or one comma-separated string; an entry that parses as an
    address or network (``127.0.0.1``, ``10.0.0.0/8``, ``::1``) is a network, anything else a
    host name; either may end with ``:<port>`` (``[::1]:8080`` for IPv6) to allow that port
    only, so that allowing one service of a host does not open its others.
    """
    value = getattr(settings, "HUB_HTTP_ALLOW_PRIVATE", ()) or ()
    entries = value.split(",") if isinstance(value, str) else value
    networks: list[AllowedNetwork] = []
    hosts: dict[str, set[int] | None] = {}
    for entry in (item.strip() for item in entries):
        if not entry:
            continue
        name, port = _split_port(entry)
        try:
            networks.append((ipaddress.ip_network(name.strip("[]"), strict=False), port))
        except ValueError:
            key = name.lower().rstrip(".")
            if port is None or hosts.get(key, set()) is None:
                hosts[key] = None
            else:
                hosts.setdefault(key, set()).add(port)  # type: ignore[union-attr]
    return networks, hosts


def check_address(address: str, *, host: str | None = None, port: int | None = None) -> None:
    """Raise ``AddressRefused`` unless a connection to ``address`` (for ``host``, on ``port``)
    is allowed.

    ``address`` is a textual IP address, possibly with an IPv6 zone (``fe80::1%eth0``).
    Public addresses always pass; internal ones pass when the allow-list holds a network
    containing them (or the IPv4 address they wrap) or the host name the connection was made
    for, with no port or with this ``port``.
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    reason = refusal_reason(ip)
    if reason is None:
        return
    networks, hosts = allow_list()
    if host is not None:
        key = host.lower().rstrip(".").strip("[]")
        if key in hosts and (hosts[key] is None or port in hosts[key]):  # type: ignore[operator]
            return
    mapped = embedded_ipv4(ip) if isinstance(ip, ipaddress.IPv6Address) else None
    candidates = [candidate for candidate in (ip, mapped) if candidate is not None]
    for network, allowed_port in networks:
        if allowed_port is not None and allowed_port != port:
            continue
        if any(candidate.version == network.version and candidate in network for candidate in candidates):
            return
    raise AddressRefused(str(mapped or ip), reason)


def resolve(host: str, port: int) -> list[tuple[int, int, int, tuple]]:
    """``getaddrinfo`` for a TCP connection; tests replace this to simulate DNS answers."""
    return socket.getaddrinfo(host.strip("[]"), port, 0, socket.SOCK_STREAM)


def allowed_addresses(host: str, port: int) -> list[tuple[int, int, int, tuple]]:
    """The resolved addresses of ``host`` that pass the guard, in resolver order.

    Raises ``socket.gaierror`` when the name does not resolve and ``AddressRefused``
    (for the first refused address) when none passes.
    """
    answers = resolve(host, port)
    allowed, refusal = [], None
    for family, kind, proto, _canonical, sockaddr in answers:
        try:
            check_address(sockaddr[0], host=host, port=port)
        except AddressRefused as exc:
            refusal = refusal or exc
            continue
        allowed.append((family, kind, proto, sockaddr))
    if not allowed and refusal is not None:
        raise refusal
    return allowed


def connect(
    host: str,
    port: int,
    timeout: float | None = None,
    *,
    source_address: tuple[str, int] | None = None,
    socket_options: Iterable[tuple[int, int, Any]] | None = None,
) -> socket.socket:
    """A TCP socket to ``host:port``, connected only to an address that passed the guard.

    Like ``socket.create_connection``: tries each allowed address in turn and
    raises the last ``OSError`` when none accepts. Raises ``AddressRefused`` when
    every resolved address is internal and not allowed.
    """
    error: OSError | None = None
    for family, kind, proto, sockaddr in allowed_addresses(host, port):
        sock = socket.socket(family, kind, proto)
        try:
            for option in socket_options or ():
                sock.setsockopt(*option)
            if timeout is not None:
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
            return sock
        except OSError as exc:
            error = exc
            sock.close()
    raise error or OSError(f"no address found for {host}")


# --- requests integration -------------------------------------------------------------------------------


class _GuardedConnectionMixin:
    """urllib3 connection whose socket comes from ``connect`` (the target, or the HTTP proxy)."""

    def _new_conn(self) -> socket.socket:
        try:
            return connect(
                self._dns_host,
                self.port,
                self.timeout,
                source_address=self.source_address,
                socket_options=self.socket_options,
            )
        except socket.gaierror as exc:
            raise NameResolutionError(self.host, self, exc) from exc
        except TimeoutError as exc:
            raise ConnectTimeoutError(
                self, f"Connection to {self.host} timed out. (connect timeout={self.timeout})"
            ) from exc
        except OSError as exc:
            raise NewConnectionError(self, f"Failed to establish a new connection: {exc}") from exc


class GuardedHTTPConnection(_GuardedConnectionMixin, HTTPConnection):
    """urllib3 HTTP connection whose socket comes from the guarded ``connect``."""


class GuardedHTTPSConnection(_GuardedConnectionMixin, HTTPSConnection):
    """urllib3 HTTPS connection whose socket comes from the guarded ``connect``."""


class GuardedHTTPConnectionPool(HTTPConnectionPool):
    """urllib3 pool of ``GuardedHTTPConnection``."""

    ConnectionCls = GuardedHTTPConnection


class GuardedHTTPSConnectionPool(HTTPSConnectionPool):
    """urllib3 pool of ``GuardedHTTPSConnection``."""

    ConnectionCls = GuardedHTTPSConnection


GUARDED_POOLS = {"http": GuardedHTTPConnectionPool, "https": GuardedHTTPSConnectionPool}


def _guarded_socks_pools() -> dict:
    """Pool classes for SOCKS proxies whose proxy address is checked and pinned."""
    from urllib3.contrib.socks import SOCKSConnection, SOCKSHTTPConnectionPool, SOCKSHTTPSConnectionPool

    class GuardedSOCKSConnection(SOCKSConnection):
        def _new_conn(self) -> socket.socket:
            options = self._socks_options
            proxy_host, proxy_port = options["proxy_host"], int(options["proxy_port"] or 1080)
            try:
                pinned = allowed_addresses(proxy_host, proxy_port)
            except socket.gaierror as exc:
                raise NewConnectionError(
                    self, f"Failed to resolve the SOCKS proxy {proxy_host}: {exc}"
                ) from exc
            if not pinned:
                raise NewConnectionError(self, f"no address found for the SOCKS proxy {proxy_host}")
            self._socks_options = {**options, "proxy_host": pinned[0][3][0], "proxy_port": proxy_port}
            try:
                return super()._new_conn()
            finally:
                self._socks_options = options

    class GuardedSOCKSHTTPSConnection(GuardedSOCKSConnection, HTTPSConnection):
        pass

    class GuardedSOCKSHTTPConnectionPool(SOCKSHTTPConnectionPool):
        ConnectionCls = GuardedSOCKSConnection

    class GuardedSOCKSHTTPSConnectionPool(SOCKSHTTPSConnectionPool):
        ConnectionCls = GuardedSOCKSHTTPSConnection

    return {"http": GuardedSOCKSHTTPConnectionPool, "https": GuardedSOCKSHTTPSConnectionPool}


class GuardedAdapter(HTTPAdapter):
    """A requests transport adapter whose every connection (target or proxy) passes the guard."""

    _socks_pools: dict | None = None

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = GUARDED_POOLS

    def proxy_manager_for(self, proxy, **proxy_kwargs):
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if proxy.lower().startswith("socks"):
            if GuardedAdapter._socks_pools is None:
                GuardedAdapter._socks_pools = _guarded_socks_pools()
            manager.pool_classes_by_scheme = GuardedAdapter._socks_pools
        else:
            manager.pool_classes_by_scheme = GUARDED_POOLS
        return manager


def guarded_session() -> requests.Session:
    """A ``requests.Session`` for task-controlled URLs: every connection passes the guard.

    Environment proxy variables are ignored (``trust_env`` off): a task's request
    must not be routed through, or around, the operator's own proxy settings.
    """
    session = requests.Session()
    session.trust_env = False
    adapter = GuardedAdapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def find_refusal(exc: BaseException) -> AddressRefused | None:
    """The ``AddressRefused`` behind ``exc`` (itself, or in its cause/context chain), if any."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, AddressRefused):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None
