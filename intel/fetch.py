"""The one HTTP client for everything RivalScope fetches from the network.

Threat model
------------
The URLs this module fetches are chosen by people and by other servers: sources typed into
the admin, links inside feeds and pages, ``Location`` headers, webhook targets. Any of them
may be hostile. The dangers, and what is done about each:

* **Server-side request forgery.** A URL that points inside our own network (``127.0.0.1``,
  ``10.0.0.5``, a Redis on ``localhost``, the cloud metadata service at ``169.254.169.254``
  that hands out credentials) would make this server attack or read its neighbours. Every
  address a request connects to is judged by :func:`forbidden_reason`; anything that is not
  a public internet address is refused unless an operator allowed its network
  (``RIVALSCOPE_FETCH_ALLOWED_NETWORKS``) or named the host itself
  (``RIVALSCOPE_FETCH_ALLOWED_HOSTS``: ``127.0.0.1:8000/sample/`` lets the quick start
  read the sample feed its own web server serves, and nothing else on this machine, not
  even that server's other pages: the path is checked on every hop).
* **Tricks around that check.** Odd spellings (``http://2130706433/``, ``http://127.1/``,
  ``http://[::ffff:7f00:1]/``), host names that resolve to private addresses, redirects to
  them, and DNS rebinding (a name that answers with a public address when checked and a
  private one when connected to). The check is therefore made on the addresses the
  operating system's resolver returns, at connect time, inside the network backend that
  opens the socket, and the socket is opened to exactly the address that was checked, so
  nothing is resolved twice. IP-literal hosts are also refused before anything is sent,
  with a clearer message. Only ``http`` and ``https`` are fetched, on every redirect hop.
  Proxies from the environment (``HTTP_PROXY``…) are ignored: a proxy resolves names
  itself and would take the address check out of our hands.
* **Resource exhaustion.** Huge bodies, gzip bombs (kilobytes on the wire, gigabytes once
  decompressed) and servers that drip one byte at a time would tie up memory and workers.
  The body is decompressed here in bounded pieces and counted *after* decompression; the
  whole request (every connect, redirect and read) shares one deadline.
* **XML entity attacks** (billion laughs, external entities) in feeds and pages:
  :func:`intel.xml_entities.refuse_xml_entities` refuses any document that declares
  entities, before an XML parser sees it. It is one layer: parsers must still be
  configured not to fetch external DTDs.

Every failure is a :class:`FetchError` whose message can be shown to a person as is.
"""

from __future__ import annotations

import functools
import ipaddress
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import unquote, urlsplit

import httpcore
import httpx
from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_TIMEOUT = 15.0
DEFAULT_USER_AGENT = "rivalscope/0.1 (+https://github.com/rivalscope)"
MAX_REDIRECTS = 5
ALLOWED_SCHEMES = frozenset({"http", "https"})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
CONDITIONAL_HEADERS = ("if-none-match", "if-modified-since")
# Headers that carry the caller's credentials; they are not sent on to another origin.
CREDENTIAL_HEADERS = ("authorization", "proxy-authorization", "cookie")
# Only the encodings decompressed here, in bounded pieces, are asked for.
ACCEPT_ENCODING = "gzip, deflate"
# The largest piece of decompressed output produced at once (see _BoundedDecoder).
DECODE_PIECE = 64 * 1024

# Carrier-grade NAT (RFC 6598). Spelled out because ``is_private`` has not always covered
# it, and its meaning differs between Python versions.
CARRIER_GRADE_NAT = ipaddress.IPv4Network("100.64.0.0/10")
# Unique-local IPv6 (RFC 4193), the IPv6 counterpart of 10/8 and friends.
UNIQUE_LOCAL = ipaddress.IPv6Network("fc00::/7")
# NAT64 well-known prefix (RFC 6052): the last 32 bits are an IPv4 address.
NAT64_PREFIX = ipaddress.IPv6Network("64:ff9b::/96")
# Instance metadata services (AWS, GCP, Azure, and AWS's IPv6 endpoint). They fall in
# refused ranges anyway; they are named so the refusal says what was at stake.
METADATA_ADDRESSES = frozenset({ipaddress.IPv4Address("169.254.169.254"), ipaddress.IPv6Address("fd00:ec2::254")})


class FetchError(Exception):
    """A fetch failed or was refused; the message is written for a person to read.

    ``status_code`` is the HTTP status when the server answered with an error status,
    and ``None`` for every other failure (refusals, timeouts, network errors, limits).
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        headers: Mapping[str, str] | None = None,
        by_policy: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        # Refused by this module's address policy: trying again cannot help.
        self.by_policy = by_policy
        # The error response's headers (lower-cased names), e.g. for Retry-After on a 429.
        self.headers: dict[str, str] = dict(headers or {})


@dataclass(frozen=True)
class FetchedResponse:
    """A successful response, with its body decompressed and read in full."""

    url: str  # final URL, after redirects
    status_code: int
    headers: dict[str, str]  # lower-cased names; repeated headers joined with ", "
    content: bytes  # decoded (decompressed) body
    encoding: str | None  # charset from Content-Type, if any
    content_type: str  # media type only, lower-case ("text/html"); "" if none was sent


# --- The address policy -------------------------------------------------------------


def parse_networks(networks: Iterable[str]) -> tuple[IPNetwork, ...]:
    """Turn CIDR strings ("127.0.0.0/8", "::1") into networks, or raise FetchError."""
    parsed: list[IPNetwork] = []
    for text in networks:
        try:
            parsed.append(ipaddress.ip_network(text.strip(), strict=False))
        except ValueError:
            raise FetchError(f"The allowed network {text!r} is not a network such as '10.0.0.0/8'.") from None
    return tuple(parsed)


def _category(ip: IPAddress) -> str | None:
    """Why ``ip`` itself is not a public internet address, or None if it is one."""
    if ip in METADATA_ADDRESSES:
        return "a cloud metadata address"
    if ip.is_unspecified:
        return "an unspecified address"
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if isinstance(ip, ipaddress.IPv4Address) and ip in CARRIER_GRADE_NAT:
        return "a carrier-grade NAT address"
    if ip.is_multicast:
        return "a multicast address"
    if isinstance(ip, ipaddress.IPv6Address) and ip in UNIQUE_LOCAL:
        return "a unique-local address"
    if isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local:
        return "a site-local address"
    if ip.is_reserved:
        return "a reserved address"
    if ip.is_private:
        return "a private address"
    if not ip.is_global:
        return "not a public internet address"
    return None


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[tuple[str, ipaddress.IPv4Address]]:
    """IPv4 addresses an IPv6 address carries inside it, with the mechanism's name."""
    found: list[tuple[str, ipaddress.IPv4Address]] = []
    if ip.sixtofour is not None:
        found.append(("a 6to4 address for", ip.sixtofour))
    if ip.teredo is not None:
        server, client = ip.teredo
        found.extend([("a Teredo address for", server), ("a Teredo address for", client)])
    return found


def forbidden_reason(address: str | IPAddress, allowed_networks: Sequence[str | IPNetwork] = ()) -> str | None:
    """Why a request must not connect to ``address``, or None if it may.

    The answer completes the sentence "<address> is …", e.g. "a loopback address".
    An address inside one of ``allowed_networks`` is always allowed. IPv4-mapped
    (``::ffff:127.0.0.1``) and NAT64 (``64:ff9b::7f00:1``) addresses are judged as the IPv4
    address they stand for; 6to4 and Teredo addresses are refused if the IPv4 address they
    embed would be. A pure function: nothing is resolved or connected to.
    """
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    networks = tuple(
        net if isinstance(net, ipaddress.IPv4Network | ipaddress.IPv6Network) else parse_networks([net])[0]
        for net in allowed_networks
    )

    def judge(candidate: IPAddress) -> str | None:
        if any(candidate in net for net in networks):
            return None
        return _category(candidate)

    if isinstance(ip, ipaddress.IPv6Address):
        # These two are other spellings of an IPv4 address: only the IPv4 address counts.
        stands_for = ip.ipv4_mapped
        if stands_for is None and ip in NAT64_PREFIX:
            stands_for = ipaddress.IPv4Address(ip.packed[-4:])
        if stands_for is not None:
            reason = judge(stands_for)
            return None if reason is None else f"the same as {stands_for}, {reason}"
        for mechanism, embedded in _embedded_ipv4(ip):
            reason = judge(embedded)
            if reason is not None:
                return f"{mechanism} {embedded}, {reason}"
    return judge(ip)


def _ip_literal(host: str) -> IPAddress | None:
    """The address a host names without any DNS lookup, or None for a real host name.

    Besides the standard forms this accepts what the C library's ``inet_aton`` does
    (``127.1``, ``0x7f.0.0.1``, ``2130706433``), because that is what the resolver would
    turn those names into.
    """
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except (OSError, ValueError):
        return None


# (lower-case host, port or None for any, path prefix or "" for any path)
HostAllowance = frozenset[tuple[str, int | None, str]]


def parse_hosts(hosts: Iterable[str]) -> HostAllowance:
    """Turn "name", "name:port" or "name:port/path/" strings into (lower-case host, port or
    None, path prefix or "") triples. A path limits the host to URLs under it."""
    parsed: set[tuple[str, int | None, str]] = set()
    for entry in hosts:
        text = entry.strip()
        if not text:
            continue
        if text.startswith("["):  # "[::1]", "[::1]:8000", "[::1]:8000/feeds/"
            host, _, rest = text[1:].partition("]")
            port, slash, path = rest.removeprefix(":").partition("/")
        else:
            address, slash, path = text.partition("/")
            if address.count(":") == 1:
                host, _, port = address.partition(":")
            else:  # a name, an IPv4 address or a bare IPv6 address
                host, port = address, ""
        prefix = f"/{path}" if slash else ""
        if not host or (port and not port.isdigit()) or ".." in prefix.split("/"):
            raise FetchError(
                f"The allowed host {text!r} is not a name such as 'feeds.intranet', '127.0.0.1:8000' or "
                "'127.0.0.1:8000/sample/'."
            )
        parsed.add((host.lower(), int(port) if port else None, prefix))
    return frozenset(parsed)


def _allowances_for(host: str, port: int | None, hosts: HostAllowance) -> list[str]:
    """The path prefixes under which ``host:port`` is allowed ("" for every path)."""
    name = host.lower().strip("[]")
    return [path for h, p, path in hosts if h == name and (p is None or p == port)]


def _host_allowed(host: str, port: int | None, hosts: HostAllowance) -> bool:
    """Whether a connection to ``host:port`` is allowed by name. A connection carries no
    path: requests are held to their allowed paths by ``_check_allowed_path``, hop by hop."""
    return bool(_allowances_for(host, port, hosts))


def _check_allowed_path(url: httpx.URL, hosts: HostAllowance) -> None:
    """Refuse a URL on a host allowed only under some paths (the quick start's own web
    server, for its sample feed) when it is not under one of them."""
    prefixes = _allowances_for(url.host, _origin(url)[2], hosts)
    if not prefixes or "" in prefixes:
        return
    path = unquote(url.path)
    if ".." not in path.split("/") and any(path.startswith(prefix) for prefix in prefixes):
        return
    under = " or ".join(sorted(prefixes))
    raise FetchError(
        f"Refused: only {under} may be fetched from {url.host}:{_origin(url)[2]} "
        f"(RIVALSCOPE_FETCH_ALLOWED_HOSTS), not {url.path}.",
        by_policy=True,
    )


def _refusal(host: str, ip: IPAddress, reason: str) -> FetchError:
    if _ip_literal(host) is not None:
        if host == str(ip):
            return FetchError(f"Refused: {ip} is {reason}.", by_policy=True)
        return FetchError(f"Refused: {host} means {ip}, which is {reason}.", by_policy=True)
    return FetchError(f"Refused: {host} resolves to {ip}, which is {reason}.", by_policy=True)


# --- The guarded network backend ----------------------------------------------------


def _remaining(deadline: float) -> float:
    return deadline - time.monotonic()


def _clamp(timeout: float | None, deadline: float, error: type[Exception]) -> float:
    """The smaller of ``timeout`` and the time left before ``deadline``; raise once it passed."""
    left = _remaining(deadline)
    if left <= 0:
        raise error("The deadline for the whole request has passed.")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A network stream whose every read, write and TLS handshake ends by the deadline.

    httpx's own timeouts apply per operation, so a server sending a byte just often
    enough would never trip them; capping each operation by the time left does.
    """

    def __init__(self, stream: httpcore.NetworkStream, deadline: float) -> None:
        self._stream = stream
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _clamp(timeout, self._deadline, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _clamp(timeout, self._deadline, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        timeout = _clamp(timeout, self._deadline, httpcore.ConnectTimeout)
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, timeout), self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _GuardedBackend(httpcore.NetworkBackend):
    """Resolves names itself, refuses forbidden addresses, and connects to the checked IP.

    httpcore hands ``connect_tcp`` the host name from the URL. We resolve it with
    ``socket.getaddrinfo`` (the same resolver the OS would use, so every odd spelling of an
    address comes out as a plain IP), judge every answer, and pass the wrapped
    ``SyncBackend`` an IP address, never the name: there is no second lookup for a
    rebinding DNS server to answer differently.

    TLS is unaffected by connecting to an IP: httpcore's ``HTTPConnection._connect``
    (httpcore 1.0.9, ``_sync/connection.py``) calls ``stream.start_tls(...,
    server_hostname=sni_hostname or self._origin.host)``, where the origin is the request
    URL's host and not what ``connect_tcp`` was given. SNI and the certificate check still
    use the original host name.
    """

    def __init__(
        self, allowed_networks: tuple[IPNetwork, ...], deadline: float, allowed_hosts: HostAllowance = frozenset()
    ) -> None:
        self._inner = httpcore.SyncBackend()
        self._allowed = allowed_networks
        self._allowed_hosts = allowed_hosts
        self._deadline = deadline

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = self._resolve(host, port, _clamp(timeout, self._deadline, httpcore.ConnectTimeout))
        # Refuse if ANY answer is forbidden, not only the one we would pick: a name that
        # answers with a public and a private address is a rebinding trick (the client is
        # meant to fail over to the private one), and nothing legitimate needs it.
        # A host the operator named is trusted whatever it resolves to (and only on the
        # port named, if one was).
        trusted = _host_allowed(host, port, self._allowed_hosts)
        for ip in addresses:
            reason = None if trusted else forbidden_reason(ip, self._allowed)
            if reason is not None:
                raise _refusal(host, ip, reason)
        failure: Exception | None = None
        # All answers are allowed; try them in the resolver's order, so a host whose IPv6
        # address is unreachable from here is still reached over IPv4.
        for ip in addresses:
            try:
                stream = self._inner.connect_tcp(
                    str(ip),
                    port,
                    timeout=_clamp(timeout, self._deadline, httpcore.ConnectTimeout),
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
                continue
            return _DeadlineStream(stream, self._deadline)
        if failure is None:  # unreachable: _resolve never returns an empty list
            raise FetchError(f"Could not connect to {host}.")
        raise failure

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        raise FetchError("Refused: Unix sockets are never connected to.", by_policy=True)

    @staticmethod
    def _resolve(host: str, port: int, timeout: float) -> list[IPAddress]:
        """Every address ``host`` resolves to, in the resolver's order, within ``timeout``.

        ``getaddrinfo`` cannot be given a timeout, so it runs in a daemon thread that is
        abandoned (it ends on its own) if the resolver is slower than the deadline.
        """
        try:
            # A plain IP (as getaddrinfo would return it) needs no lookup and no thread;
            # odd spellings ("0x7f.1", "2130706433") do not parse here and are resolved.
            return [ipaddress.ip_address(host)]
        except ValueError:
            pass
        answers: list[Any] = []
        errors: list[Exception] = []

        def lookup() -> None:
            try:
                answers.extend(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
            except Exception as exc:  # handed over to the waiting thread below
                errors.append(exc)

        thread = threading.Thread(target=lookup, name="fetch-resolve", daemon=True)
        thread.start()
        thread.join(timeout)
        if thread.is_alive():
            raise httpcore.ConnectTimeout(f"Resolving {host} took too long.")
        if errors or not answers:
            raise FetchError(f"The name {host!r} could not be resolved.")
        addresses: list[IPAddress] = []
        for family, _type, _proto, _canonname, sockaddr in answers:
            if family not in (socket.AF_INET, socket.AF_INET6):
                continue
            ip = ipaddress.ip_address(sockaddr[0])
            if ip not in addresses:
                addresses.append(ip)
        if not addresses:
            raise FetchError(f"The name {host!r} did not resolve to an IP address.")
        return addresses


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    # Built once: loading the CA bundle costs milliseconds. SSLContext is safe to share
    # between threads.
    return httpx.create_ssl_context()


class _GuardedTransport(httpx.HTTPTransport):
    """``httpx.HTTPTransport`` whose connection pool connects through ``_GuardedBackend``."""

    def __init__(self, backend: _GuardedBackend) -> None:
        super().__init__(verify=_ssl_context(), trust_env=False, http2=False, retries=0)
        # HTTPTransport offers no way to choose the network backend, so the pool it just
        # built (and never used) is replaced with the same kind of pool on our backend.
        # ``_pool`` is private to httpx (0.28); HTTPTransport's request, close and context
        # manager methods all go through it. If a future httpx stops using that name, fail
        # loudly here rather than fetch through an unguarded pool.
        if not isinstance(getattr(self, "_pool", None), httpcore.ConnectionPool):
            raise RuntimeError("httpx.HTTPTransport no longer keeps its pool in _pool; update intel/fetch.py.")
        self._pool = httpcore.ConnectionPool(
            ssl_context=_ssl_context(),
            network_backend=backend,
            max_connections=10,
            http1=True,
            http2=False,
            retries=0,
        )


# --- Bounded decompression ----------------------------------------------------------


class _BoundedDecoder:
    """Undoes one Content-Encoding, producing at most ``DECODE_PIECE`` bytes at a time.

    httpx's own decoders decompress each network read in one go, so 64 KB of gzip on the
    wire can become 64 MB in memory before anyone can count it. Here ``max_length`` keeps
    every piece small, and the caller stops as soon as the total passes the limit.
    """

    def __init__(self, encoding: str) -> None:
        self._encoding = encoding
        self._pending = b""
        self._zlib: Any = None
        if encoding in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS | 16)

    def decode(self, data: bytes) -> Iterator[bytes]:
        if self._encoding == "identity":
            if data:
                yield data
            return
        if self._zlib is None:
            # "deflate" should be zlib-wrapped (RFC 9110) but some servers send it raw;
            # a zlib header has compression method 8 and a checksum divisible by 31.
            self._pending += data
            if len(self._pending) < 2:
                return
            data, self._pending = self._pending, b""
            wrapped = data[0] & 0x0F == 8 and ((data[0] << 8) | data[1]) % 31 == 0
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
        while data and not self._zlib.eof:
            try:
                piece = self._zlib.decompress(data, DECODE_PIECE)
            except zlib.error:
                raise FetchError(f"The response claims to be {self._encoding}-compressed but is not.") from None
            left = self._zlib.unconsumed_tail
            if not piece and len(left) == len(data):
                break  # no progress is possible with this input
            data = left
            if piece:
                yield piece

    def flush(self) -> bytes:
        # A truncated stream is forgiven, as browsers (and httpx) do.
        if self._zlib is None or self._zlib.eof:
            return b""
        try:
            return self._zlib.flush(DECODE_PIECE)
        except zlib.error:
            return b""


def _decoder_for(content_encoding: str) -> _BoundedDecoder:
    codings = [c.strip().lower() for c in content_encoding.split(",")]
    codings = [c for c in codings if c and c != "identity"]
    if not codings:
        return _BoundedDecoder("identity")
    if len(codings) == 1 and codings[0] in ("gzip", "x-gzip", "deflate"):
        return _BoundedDecoder(codings[0])
    raise FetchError(f"The response uses a content encoding that is not supported ({', '.join(codings)}).")


# --- Fetching -----------------------------------------------------------------------


def _size(limit: int) -> str:
    if limit % (1024 * 1024) == 0:
        return f"{limit // (1024 * 1024)} MB"
    if limit % 1024 == 0:
        return f"{limit // 1024} KB"
    return f"{limit} byte"


def _timeout_error(timeout: float) -> FetchError:
    unit = "second" if timeout == 1 else "seconds"
    return FetchError(f"The server did not answer within {timeout:g} {unit}.")


def _check_url(url: str) -> httpx.URL:
    """Parse ``url``, refusing anything but http(s) URLs with a host."""
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        if not scheme:
            raise FetchError(f"Only http and https URLs can be fetched; {url!r} has no scheme.")
        raise FetchError(f"Only http and https URLs can be fetched, not {scheme!r}.")
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError, TypeError):
        raise FetchError(f"{url!r} is not a valid URL.") from None
    if not parsed.host:
        raise FetchError(f"{url!r} has no host to fetch from.")
    return parsed


def _check_ip_literal(parsed: httpx.URL, allowed: tuple[IPNetwork, ...], hosts: HostAllowance) -> None:
    """Refuse a forbidden IP-literal host before any connection is attempted.

    Only a cheaper, clearer early answer: the backend judges every address again.
    """
    if _host_allowed(parsed.host, _origin(parsed)[2], hosts):
        return
    ip = _ip_literal(parsed.host)
    if ip is not None:
        reason = forbidden_reason(ip, allowed)
        if reason is not None:
            raise _refusal(parsed.host, ip, reason)


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return (url.scheme, url.host, url.port or {"http": 80, "https": 443}.get(url.scheme))


def _media_type(content_type: str) -> tuple[str, str | None]:
    media, *params = content_type.split(";")
    charset = None
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip("\"'").lower() or None
    return media.strip().lower(), charset


def _status_error(status: int, headers: Mapping[str, str] | None = None) -> FetchError:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        return FetchError(f"The server answered {status}.", status_code=status, headers=headers)
    return FetchError(f"The server answered {status} {phrase}.", status_code=status, headers=headers)


def _read_body(response: httpx.Response, *, max_bytes: int, deadline: float, timeout: float) -> bytes:
    too_large = FetchError(f"The response is larger than the {_size(max_bytes)} limit.")
    declared = response.headers.get("content-length")
    if declared is not None and declared.strip().isdigit() and int(declared) > max_bytes:
        raise too_large
    decoder = _decoder_for(response.headers.get("content-encoding", ""))
    pieces: list[bytes] = []
    raw_total = total = 0
    for raw in response.iter_raw():
        raw_total += len(raw)
        if raw_total > max_bytes:
            raise too_large
        for piece in decoder.decode(raw):
            total += len(piece)
            if total > max_bytes:
                raise too_large
            pieces.append(piece)
        if _remaining(deadline) <= 0:
            raise _timeout_error(timeout)
    tail = decoder.flush()
    total += len(tail)
    if total > max_bytes:
        raise too_large
    pieces.append(tail)
    return b"".join(pieces)


def _translate(exc: httpx.HTTPError, timeout: float, url: httpx.URL) -> FetchError:
    """A readable FetchError for an httpx failure."""
    where = url.host if url.port is None else f"{url.host}:{url.port}"
    if isinstance(exc, httpx.TimeoutException):
        return _timeout_error(timeout)
    if isinstance(exc, httpx.ConnectError):
        text = str(exc)
        if "CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text:
            return FetchError(f"The TLS certificate of {where} could not be verified.")
        if "refused" in text.lower():
            return FetchError(f"Could not connect to {where}: the connection was refused.")
        return FetchError(f"Could not connect to {where}.")
    if isinstance(exc, httpx.RemoteProtocolError):
        return FetchError(f"{where} closed the connection or sent a response that is not valid HTTP.")
    if isinstance(exc, httpx.NetworkError):
        return FetchError(f"The connection to {where} failed while talking to it.")
    if isinstance(exc, httpx.LocalProtocolError):
        return FetchError("The request could not be sent: it is not valid HTTP (check the headers).")
    return FetchError(f"Fetching from {where} failed.")


def fetch_url(
    url: str,
    *,
    max_bytes: int | None = None,
    timeout: float | None = None,
    headers: Mapping[str, str] | None = None,
    method: str = "GET",
    json_body: object | None = None,
    allowed_networks: Sequence[str] | None = None,
    allowed_hosts: Sequence[str] | None = None,
) -> FetchedResponse:
    """Fetch ``url`` under the policy in this module's docstring, or raise FetchError.

    ``max_bytes``, ``timeout`` and ``allowed_networks`` default to the
    ``RIVALSCOPE_FETCH_*`` settings, read at call time; ``allowed_networks=[]`` allows no
    private network whatever the setting says; ``allowed_hosts`` (default
    ``RIVALSCOPE_FETCH_ALLOWED_HOSTS``) names hosts, host:port pairs, or either with a
    path (only URLs under it), that may be reached whatever address they have. ``timeout`` covers the whole request:
    every connection, redirect and read. ``headers`` are sent on every hop except that
    credentials (Authorization, Cookie) are dropped when a redirect leaves the origin;
    ``Accept-Encoding`` is always ours, since only gzip and deflate are decoded. When
    ``headers`` include If-None-Match or If-Modified-Since, a 304 answer is returned (with
    empty content) instead of raised. ``json_body``, if given, is sent as JSON.
    """
    limit = int(max_bytes if max_bytes is not None else settings.RIVALSCOPE_FETCH_MAX_BYTES)
    seconds = float(timeout if timeout is not None else settings.RIVALSCOPE_FETCH_TIMEOUT)
    if limit <= 0 or seconds <= 0:
        raise ValueError("max_bytes and timeout must be positive.")
    allowed = parse_networks(
        allowed_networks if allowed_networks is not None else settings.RIVALSCOPE_FETCH_ALLOWED_NETWORKS
    )
    hosts = parse_hosts(allowed_hosts if allowed_hosts is not None else settings.RIVALSCOPE_FETCH_ALLOWED_HOSTS)
    deadline = time.monotonic() + seconds

    current = _check_url(url.strip())
    _check_ip_literal(current, allowed, hosts)
    _check_allowed_path(current, hosts)
    request_headers = httpx.Headers(headers or {})
    request_headers["accept-encoding"] = ACCEPT_ENCODING
    conditional = any(name in request_headers for name in CONDITIONAL_HEADERS)
    method = method.upper()
    body = json_body
    client_headers = {"user-agent": settings.RIVALSCOPE_FETCH_USER_AGENT, "accept": "*/*"}

    # trust_env=False: no proxies, .netrc or SSL_CERT_* from the environment. A proxy
    # would resolve names itself, out of reach of the address check.
    transport = _GuardedTransport(_GuardedBackend(allowed, deadline, hosts))
    with httpx.Client(transport=transport, headers=client_headers, follow_redirects=False, trust_env=False) as client:
        for _hop in range(MAX_REDIRECTS + 1):
            left = _remaining(deadline)
            if left <= 0:
                raise _timeout_error(seconds)
            try:
                with client.stream(
                    method,
                    current,
                    headers=request_headers,
                    json=body,
                    timeout=httpx.Timeout(left),
                ) as response:
                    status = response.status_code
                    location = response.headers.get("location")
                    if status not in REDIRECT_STATUSES or not location:
                        return _finish(response, method, conditional, limit, deadline, seconds)
            except httpx.HTTPError as exc:
                raise _translate(exc, seconds, current) from exc

            try:
                target = current.join(location)
            except (httpx.InvalidURL, ValueError):
                raise FetchError(f"The server redirected to {location!r}, which is not a valid URL.") from None
            target = _check_url(str(target))
            _check_ip_literal(target, allowed, hosts)
            _check_allowed_path(target, hosts)
            if _origin(target) != _origin(current):
                for name in CREDENTIAL_HEADERS:
                    request_headers.pop(name, None)
            # What browsers do: 303 turns anything but HEAD into GET, and so do 301/302
            # after a POST. 307 and 308 repeat the request as it was.
            if (status == 303 and method != "HEAD") or (status in (301, 302) and method == "POST"):
                method, body = "GET", None
                request_headers.pop("content-type", None)
            current = target
    raise FetchError(f"Too many redirects (more than {MAX_REDIRECTS}).")


def _finish(
    response: httpx.Response, method: str, conditional: bool, limit: int, deadline: float, seconds: float
) -> FetchedResponse:
    status = response.status_code
    not_modified = status == 304 and conditional
    if not (200 <= status < 300 or not_modified):
        raise _status_error(status, {name.lower(): value for name, value in response.headers.items()})
    media, charset = _media_type(response.headers.get("content-type", ""))
    has_body = method != "HEAD" and status not in (204, 304)
    content = _read_body(response, max_bytes=limit, deadline=deadline, timeout=seconds) if has_body else b""
    return FetchedResponse(
        url=str(response.url),
        status_code=status,
        headers={name.lower(): value for name, value in response.headers.items()},
        content=content,
        encoding=charset,
        content_type=media,
    )
