"""Who is asking, and from where: carried into every audit event.

The client's address is decided in one place, `client_address`, for the API and the UI
alike: the connection's peer, unless that peer is one of our trusted proxies
(`PLANGOV_TRUSTED_PROXIES`), in which case X-Forwarded-For is walked from the right past
our proxies. Nothing else a client sends is believed.
"""

from __future__ import annotations

import ipaddress
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from plangov_app.settings import get_settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
#: The address recorded when a server replaced the peer with a forwarded one we cannot check.
UNVERIFIED_FORWARDED = "unverified-forwarded"
MAX_FORWARDED_HOPS = 32
CLIENT_REQUEST_ID_CHARS = 64


def new_request_id() -> str:
    """A fresh request id."""
    return uuid.uuid4().hex


@dataclass(frozen=True)
class RequestContext:
    """The request's id, origin address and user agent (truncated to the column sizes).

    `request_id` is always the server's own; a client's `X-Request-ID` is kept apart in
    `client_request_id` (printable ASCII, at most 64 characters).
    """

    request_id: str = field(default_factory=new_request_id)
    origin_ip: str | None = None
    user_agent: str | None = None
    client_request_id: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "request_id", (self.request_id or new_request_id())[:64])
        if self.origin_ip:
            object.__setattr__(self, "origin_ip", self.origin_ip[:64])
        if self.user_agent:
            object.__setattr__(self, "user_agent", self.user_agent[:512])
        if self.client_request_id is not None:
            kept = "".join(c for c in self.client_request_id if " " <= c <= "~")
            object.__setattr__(self, "client_request_id",
                               kept[:CLIENT_REQUEST_ID_CHARS] or None)

    @classmethod
    def from_connection(cls, *, peer: str | None, forwarded_for: str | Iterable[str] | None,
                        user_agent: str | None, request_id: str = "",
                        client_request_id: str | None = None) -> RequestContext:
        """The context of a request that arrived from `peer` (see `client_address`)."""
        return cls(request_id=request_id, origin_ip=client_address(peer, forwarded_for),
                   user_agent=user_agent, client_request_id=client_request_id)


def system_context(tool: str = "plangov-cli") -> RequestContext:
    """The context of work started on this machine (CLI, seeding, jobs)."""
    return RequestContext(origin_ip="127.0.0.1", user_agent=tool)


# --- The client's address -------------------------------------------------------------


def client_address(peer: str | None, forwarded_for: str | Iterable[str] | None, *,
                   trusted: str | None = None, server_trusted: str | None = None) -> str | None:
    """The client's address: `peer`, or what our trusted proxies say they forwarded for.

    `peer` is the connection's address from the ASGI scope; `forwarded_for` the
    X-Forwarded-For header value(s). When `peer` is a trusted proxy (`trusted`, default
    `PLANGOV_TRUSTED_PROXIES`: IPs and CIDRs, comma-separated; empty trusts none), the
    entries are read from the right and the first one that is not a trusted proxy is the
    client. Otherwise the header is ignored.

    uvicorn (proxy headers on, its default) replaces the peer by an entry of the header
    before we see it when the real peer is in its own list (`server_trusted`, default
    `FORWARDED_ALLOW_IPS`, else 127.0.0.1,::1), and the real peer is lost. So when that list
    is not within ours, a forwarded request from a peer uvicorn trusts (or carrying the
    entry uvicorn would have chosen) gets `UNVERIFIED_FORWARDED`, whatever the header says
    and under every server: a forged header can neither spread one client over many
    addresses nor put an address of its choosing in the audit log.
    """
    if not peer:
        return None
    hops = _hops(forwarded_for)
    ours = _networks(get_settings().trusted_proxies if trusted is None else trusted)
    servers = (get_settings().server_forwarded_allow_ips if server_trusted is None
               else server_trusted)
    rewritable = bool(hops) and (_server_trusts(peer, servers)
                                 or peer == _uvicorn_choice(hops, servers))
    if rewritable and not _covers(ours, servers):
        return UNVERIFIED_FORWARDED
    if rewritable or _within(peer, ours):
        return _walk(hops, ours, peer)
    return peer


def _hops(forwarded_for: str | Iterable[str] | None) -> list[str]:
    values = [forwarded_for] if isinstance(forwarded_for, str) else list(forwarded_for or [])
    entries = [e.strip() for v in values for e in v.split(",")]
    return [_host(e) for e in entries if e][-MAX_FORWARDED_HOPS:]


def _host(entry: str) -> str:
    """The host of `1.2.3.4`, `1.2.3.4:80`, `[::1]:80` or `::1`."""
    if entry.startswith("[") and "]" in entry:
        return entry[1:entry.index("]")]
    if entry.count(":") == 1:
        return entry.split(":", 1)[0]
    return entry


def _walk(hops: list[str], ours: tuple[Network, ...], peer: str) -> str:
    """The first hop from the right that is not one of our proxies.

    A hop that is not an address ends the walk at the nearest valid one; when every hop is
    ours, the leftmost is the client (it was a proxy of ours itself).
    """
    nearest = peer
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            return nearest
        if not _within(address, ours):
            return address
        nearest = address
    return nearest


def _server_trusts(host: str, server_trusted: str) -> bool:
    return _trusts_all(server_trusted) or _within(host, _networks(server_trusted))


def _trusts_all(server_trusted: str) -> bool:
    return "*" in (e.strip() for e in server_trusted.split(","))


def _uvicorn_choice(hops: list[str], server_trusted: str) -> str:
    """The client uvicorn's ProxyHeadersMiddleware would pick from these hops."""
    for hop in reversed(hops):
        if not _server_trusts(hop, server_trusted):
            return hop
    return hops[0]


def _covers(ours: tuple[Network, ...], server_trusted: str) -> bool:
    """Whether every peer the server trusts is one of our proxies too."""
    entries = [e.strip() for e in server_trusted.split(",") if e.strip()]
    if _trusts_all(server_trusted):
        return False
    theirs = _networks(server_trusted)
    return len(theirs) == len(entries) and all(
        any(n.version == o.version and n.subnet_of(o) for o in ours)  # type: ignore[arg-type]
        for n in theirs)


def _address(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def _within(host: str, networks: tuple[Network, ...]) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in network for network in networks)


@lru_cache(maxsize=16)
def _networks(spec: str) -> tuple[Network, ...]:
    """The IPs and CIDRs of a comma-separated list (entries that are neither are ignored)."""
    networks = []
    for entry in (e.strip() for e in spec.split(",")):
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            continue
    return tuple(networks)
