"""intel.fetch: the only way the system fetches from the network, and the rules it enforces.

Every test talks to a real server on 127.0.0.1 or to nothing at all. A guard on
``socket.create_connection`` fails any test that would connect anywhere but loopback,
and names other than ``localhost`` are answered by a fake resolver, so no traffic, not
even a DNS query, leaves the machine.
"""

# The fixture import below is what makes ``http_server`` available; ruff would call each
# test's use of it a redefinition.
# ruff: noqa: F811

from __future__ import annotations

import gzip
import ipaddress
import json
import socket
import threading
import time
import tracemalloc
import zlib

import pytest

from intel.fetch import FetchedResponse, FetchError, fetch_url, forbidden_reason
from intel.xml_entities import refuse_xml_entities
from tests import httpserver
from tests.httpserver import http_server  # noqa: F401

LOOPBACK = ["127.0.0.0/8"]
PAGE = b"<!doctype html><title>Hello</title><p>Bonjour \xc3\xa0 tous</p>"


@pytest.fixture(autouse=True)
def connections(monkeypatch):
    """Every (address, port) connected to; connecting anywhere but loopback fails the test."""
    made: list[tuple[str, int]] = []
    real_create_connection = socket.create_connection

    def guarded(address, *args, **kwargs):
        host, port = address[0], address[1]
        made.append((host, port))
        if not ipaddress.ip_address(host).is_loopback:
            raise AssertionError(f"the code under test tried to connect to {host}")
        return real_create_connection(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", guarded)
    return made


class FakeDNS:
    """Answers for made-up names; each ``answer`` is used once, and the last one sticks."""

    def __init__(self) -> None:
        self.answers: dict[str, list[list[str]]] = {}
        self.lookups: list[str] = []
        self.stalled: set[str] = set()  # names whose lookup hangs until the test ends
        self.release = threading.Event()

    def answer(self, name: str, *ips: str) -> None:
        self.answers.setdefault(name, []).append(list(ips))


@pytest.fixture
def dns(monkeypatch):
    fake = FakeDNS()
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        fake.lookups.append(host)
        if host in fake.stalled:
            fake.release.wait(10)
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
        if host in fake.answers:
            queue = fake.answers[host]
            ips = queue.pop(0) if len(queue) > 1 else queue[0]
            return [
                (socket.AF_INET6, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (ip, port, 0, 0))
                if ":" in ip
                else (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (ip, port))
                for ip in ips
            ]
        try:
            ipaddress.ip_address(host)
        except ValueError:
            if host != "localhost":
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known") from None
        return real_getaddrinfo(host, port, family, type, proto, flags)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield fake
    fake.release.set()


def fetch_error(url: str, **kwargs) -> FetchError:
    with pytest.raises(FetchError) as caught:
        fetch_url(url, **kwargs)
    return caught.value


# --- Fetching ------------------------------------------------------------------------


def test_a_page_is_fetched_from_an_allowed_network(http_server):
    http_server.route("/page", body=PAGE, headers={"Content-Type": "Text/HTML; charset=UTF-8", "X-Thing": "1"})

    response = fetch_url(http_server.url("/page"), allowed_networks=LOOPBACK)

    assert isinstance(response, FetchedResponse)
    assert response.url == http_server.url("/page")
    assert response.status_code == 200
    assert response.content == PAGE
    assert response.content_type == "text/html"
    assert response.encoding == "utf-8"
    assert response.headers["x-thing"] == "1"
    assert all(name == name.lower() for name in response.headers)


def test_requests_carry_the_configured_user_agent_and_the_callers_headers(http_server, settings):
    settings.RIVALSCOPE_FETCH_USER_AGENT = "rivalscope-test/1"
    http_server.route("/page", body=b"ok")

    fetch_url(http_server.url("/page"), allowed_networks=LOOPBACK, headers={"X-Request": "yes"})

    received = http_server.requests[0].headers
    assert received["user-agent"] == "rivalscope-test/1"
    assert received["x-request"] == "yes"
    assert received["accept-encoding"] == "gzip, deflate"


def test_the_same_local_url_is_refused_without_the_allowance(http_server, connections):
    http_server.route("/page", body=PAGE)

    error = fetch_error(http_server.url("/page"))

    assert str(error) == "Refused: 127.0.0.1 is a loopback address."
    assert error.status_code is None
    assert connections == []
    assert http_server.requests == []


def test_the_allowance_can_come_from_the_setting(http_server, settings):
    settings.RIVALSCOPE_FETCH_ALLOWED_NETWORKS = LOOPBACK
    http_server.route("/page", body=PAGE)

    assert fetch_url(http_server.url("/page")).content == PAGE


def test_an_empty_allowed_networks_argument_overrides_the_setting(http_server, settings):
    settings.RIVALSCOPE_FETCH_ALLOWED_NETWORKS = LOOPBACK
    http_server.route("/page", body=PAGE)

    assert "loopback" in str(fetch_error(http_server.url("/page"), allowed_networks=[]))


def test_an_allowed_network_that_is_not_a_network_is_reported(http_server):
    error = fetch_error(http_server.url("/page"), allowed_networks=["intranet"])

    assert "'intranet' is not a network" in str(error)


def test_an_upper_case_http_scheme_is_accepted(http_server):
    http_server.route("/page", body=PAGE)

    url = http_server.url("/page").replace("http://", "HTTP://")

    assert fetch_url(url, allowed_networks=LOOPBACK).content == PAGE


def test_a_json_body_is_posted(http_server):
    http_server.route("/hook", status=204)

    response = fetch_url(
        http_server.url("/hook"), method="post", json_body={"event": "ping"}, allowed_networks=LOOPBACK
    )

    assert response.status_code == 204
    received = http_server.requests[0]
    assert received.method == "POST"
    assert received.headers["content-type"] == "application/json"
    assert json.loads(received.body) == {"event": "ping"}


# --- Schemes and addresses -----------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "scheme"),
    [
        ("file:///etc/passwd", "file"),
        ("FILE:///etc/passwd", "file"),
        ("ftp://example.com/file.txt", "ftp"),
        ("javascript:alert(1)", "javascript"),
        ("data:text/html,<script>alert(1)</script>", "data"),
        ("gopher://example.com:70/_stats", "gopher"),
    ],
)
def test_urls_that_are_not_http_are_refused(url, scheme, dns, connections):
    error = fetch_error(url)

    assert str(error) == f"Only http and https URLs can be fetched, not '{scheme}'."
    assert dns.lookups == []
    assert connections == []


def test_a_url_without_a_scheme_is_refused():
    assert "has no scheme" in str(fetch_error("example.com/page"))


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://2130706433/",
        "http://0x7f.0.0.1/",
        "http://127.1/",
        "http://017700000001/",
        "http://[::ffff:7f00:1]/",
        "http://[::ffff:127.0.0.1]:8080/",
        "http://[::1]/",
    ],
)
def test_spellings_of_loopback_are_refused_before_anything_is_sent(url, dns, connections):
    error = fetch_error(url)

    assert str(error).startswith("Refused: ")
    assert "loopback" in str(error)
    assert dns.lookups == []
    assert connections == []


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://169.254.169.254/latest/meta-data/", "Refused: 169.254.169.254 is a cloud metadata address."),
        ("http://[fd00:ec2::254]/latest/meta-data/", "Refused: fd00:ec2::254 is a cloud metadata address."),
        ("http://169.254.1.1/", "Refused: 169.254.1.1 is a link-local address."),
        ("http://10.0.0.1/", "Refused: 10.0.0.1 is a private address."),
        ("http://172.16.0.1/", "Refused: 172.16.0.1 is a private address."),
        ("http://192.168.1.1/admin", "Refused: 192.168.1.1 is a private address."),
        ("http://100.64.0.1/", "Refused: 100.64.0.1 is a carrier-grade NAT address."),
        ("http://0.0.0.0:8000/", "Refused: 0.0.0.0 is an unspecified address."),
        ("https://[fe80::1]/", "Refused: fe80::1 is a link-local address."),
    ],
)
def test_private_and_metadata_addresses_are_refused_before_anything_is_sent(url, message, dns, connections):
    assert str(fetch_error(url, allowed_networks=LOOPBACK)) == message
    assert dns.lookups == []
    assert connections == []


def test_a_host_name_that_resolves_to_loopback_is_refused(http_server, connections):
    http_server.route("/page", body=PAGE)

    error = fetch_error(f"http://localhost:{http_server.port}/page")

    assert str(error).startswith("Refused: localhost resolves to ")
    assert "loopback address" in str(error)
    assert connections == []
    assert http_server.requests == []


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("93.184.216.34", None),
        ("8.8.8.8", None),
        ("2606:2800:220:1:248:1893:25c8:1946", None),
        ("::ffff:93.184.216.34", None),
        ("127.0.0.1", "a loopback address"),
        ("127.255.255.254", "a loopback address"),
        ("::1", "a loopback address"),
        ("10.0.0.1", "a private address"),
        ("172.31.255.255", "a private address"),
        ("192.168.1.1", "a private address"),
        ("169.254.169.254", "a cloud metadata address"),
        ("fd00:ec2::254", "a cloud metadata address"),
        ("169.254.0.1", "a link-local address"),
        ("fe80::1", "a link-local address"),
        ("100.64.0.1", "a carrier-grade NAT address"),
        ("100.127.255.254", "a carrier-grade NAT address"),
        ("0.0.0.0", "an unspecified address"),  # noqa: S104 - an address to judge, not to bind
        ("::", "an unspecified address"),
        ("224.0.0.1", "a multicast address"),
        ("ff02::1", "a multicast address"),
        ("240.0.0.1", "a reserved address"),
        ("255.255.255.255", "a reserved address"),
        ("fc00::1", "a unique-local address"),
        ("fd12:3456::1", "a unique-local address"),
        ("fec0::1", "a site-local address"),
        ("198.18.0.1", "a private address"),
        ("::ffff:127.0.0.1", "the same as 127.0.0.1, a loopback address"),
        ("::ffff:10.0.0.1", "the same as 10.0.0.1, a private address"),
        ("::ffff:169.254.169.254", "the same as 169.254.169.254, a cloud metadata address"),
        ("64:ff9b::7f00:1", "the same as 127.0.0.1, a loopback address"),
        ("2002:7f00:1::", "a 6to4 address for 127.0.0.1, a loopback address"),
        ("2002:a00:1::", "a 6to4 address for 10.0.0.1, a private address"),
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "a Teredo address for 192.0.2.45, a private address"),
        ("::7f00:1", "a reserved address"),
    ],
)
def test_the_address_policy_judges_each_address(address, reason):
    assert forbidden_reason(address) == reason


@pytest.mark.parametrize(
    ("address", "allowed", "reason"),
    [
        ("127.0.0.1", ["127.0.0.0/8"], None),
        ("::ffff:127.0.0.1", ["127.0.0.0/8"], None),
        ("10.1.2.3", ["10.1.0.0/16"], None),
        ("10.2.0.1", ["10.1.0.0/16"], "a private address"),
        ("169.254.169.254", ["127.0.0.0/8"], "a cloud metadata address"),
        ("::1", ["127.0.0.0/8"], "a loopback address"),
    ],
)
def test_allowed_networks_open_only_themselves(address, allowed, reason):
    assert forbidden_reason(address, allowed) == reason


# --- DNS: the check is made on what the resolver answers, when connecting -------------


def test_a_made_up_name_resolving_to_loopback_is_refused_at_connect_time(http_server, dns, connections):
    dns.answer("intranet.test", "127.0.0.1")
    http_server.route("/page", body=PAGE)

    error = fetch_error(f"http://intranet.test:{http_server.port}/page")

    assert str(error) == "Refused: intranet.test resolves to 127.0.0.1, which is a loopback address."
    assert dns.lookups == ["intranet.test"]
    assert connections == []


def test_a_made_up_name_resolving_to_loopback_is_fetched_when_loopback_is_allowed(http_server, dns, connections):
    dns.answer("intranet.test", "127.0.0.1")
    http_server.route("/page", body=PAGE)

    response = fetch_url(f"http://intranet.test:{http_server.port}/page", allowed_networks=LOOPBACK)

    assert response.content == PAGE
    assert connections == [("127.0.0.1", http_server.port)]
    assert http_server.requests[0].headers["host"] == f"intranet.test:{http_server.port}"


def test_the_connection_goes_to_the_checked_address_not_to_a_second_answer(http_server, dns, connections):
    # A rebinding DNS server answers an allowed address first and a private one after.
    dns.answer("rebind.test", "127.0.0.1")
    dns.answer("rebind.test", "10.0.0.1")
    http_server.route("/page", body=PAGE)

    response = fetch_url(f"http://rebind.test:{http_server.port}/page", allowed_networks=LOOPBACK)

    assert response.content == PAGE
    assert dns.lookups.count("rebind.test") == 1
    assert connections == [("127.0.0.1", http_server.port)]


def test_a_name_with_one_forbidden_answer_among_allowed_ones_is_refused(http_server, dns, connections):
    dns.answer("mixed.test", "127.0.0.1", "10.0.0.1")

    error = fetch_error(f"http://mixed.test:{http_server.port}/", allowed_networks=LOOPBACK)

    assert str(error) == "Refused: mixed.test resolves to 10.0.0.1, which is a private address."
    assert connections == []


def test_a_public_answer_does_not_excuse_a_loopback_one(http_server, dns, connections):
    dns.answer("mixed.test", "93.184.216.34", "127.0.0.1")

    error = fetch_error(f"http://mixed.test:{http_server.port}/")

    assert "127.0.0.1, which is a loopback address" in str(error)
    assert connections == []


def test_a_slow_resolver_counts_against_the_deadline(dns, connections):
    dns.stalled.add("slow.test")
    started = time.monotonic()

    error = fetch_error("http://slow.test/", timeout=0.5)

    assert str(error) == "The server did not answer within 0.5 seconds."
    assert time.monotonic() - started < 2
    assert connections == []


def test_a_name_that_does_not_resolve_is_reported(dns):
    assert str(fetch_error("http://nowhere.invalid/")) == "The name 'nowhere.invalid' could not be resolved."


# --- Redirects -----------------------------------------------------------------------


def test_relative_redirects_are_followed_up_to_five(http_server):
    response = fetch_url(http_server.url("/chain/5"), allowed_networks=LOOPBACK)

    assert response.content == b"done"
    assert response.url == http_server.url("/chain/0")
    assert len(http_server.requests) == 6


def test_more_than_five_redirects_are_refused(http_server):
    error = fetch_error(http_server.url("/chain/6"), allowed_networks=LOOPBACK)

    assert str(error) == "Too many redirects (more than 5)."
    assert len(http_server.requests) == 6


def test_a_redirect_to_the_metadata_address_is_refused_without_connecting_to_it(http_server, connections):
    http_server.redirect("/go", "http://169.254.169.254/latest/meta-data/")

    error = fetch_error(http_server.url("/go"), allowed_networks=LOOPBACK)

    assert str(error) == "Refused: 169.254.169.254 is a cloud metadata address."
    assert connections == [("127.0.0.1", http_server.port)]


def test_a_redirect_to_a_file_url_is_refused(http_server):
    http_server.redirect("/go", "file:///etc/passwd")

    error = fetch_error(http_server.url("/go"), allowed_networks=LOOPBACK)

    assert str(error) == "Only http and https URLs can be fetched, not 'file'."


def test_every_redirect_hop_is_checked_when_connecting(http_server, dns, connections):
    # Only 127.0.0.1 is allowed; the redirect goes to a name that resolves to 127.0.0.2.
    dns.answer("start.test", "127.0.0.1")
    dns.answer("next.test", "127.0.0.2")
    http_server.redirect("/go", f"http://next.test:{http_server.port}/page")

    error = fetch_error(f"http://start.test:{http_server.port}/go", allowed_networks=["127.0.0.1/32"])

    assert str(error) == "Refused: next.test resolves to 127.0.0.2, which is a loopback address."
    assert connections == [("127.0.0.1", http_server.port)]


def test_a_303_after_a_post_is_followed_with_a_get(http_server):
    http_server.redirect("/submit", "/thanks", status=303)
    http_server.route("/thanks", body=b"thanks")

    response = fetch_url(http_server.url("/submit"), method="POST", json_body={"a": 1}, allowed_networks=LOOPBACK)

    assert response.content == b"thanks"
    assert [(r.method, r.path) for r in http_server.requests] == [("POST", "/submit"), ("GET", "/thanks")]


def test_credentials_are_kept_on_the_same_origin_and_dropped_on_another(http_server):
    other = httpserver.LocalHTTPServer()
    other.start()
    try:
        http_server.redirect("/start", "/same")
        http_server.redirect("/same", other.url("/elsewhere"))
        other.route("/elsewhere", body=b"elsewhere")

        fetch_url(http_server.url("/start"), headers={"Authorization": "Bearer secret"}, allowed_networks=LOOPBACK)

        assert [r.headers.get("authorization") for r in http_server.requests] == ["Bearer secret", "Bearer secret"]
        assert "authorization" not in other.requests[0].headers
    finally:
        other.stop()


# --- Size limits ---------------------------------------------------------------------


def test_a_body_at_the_limit_is_accepted(http_server):
    http_server.route("/page", body=b"a" * 1000)

    assert len(fetch_url(http_server.url("/page"), max_bytes=1000, allowed_networks=LOOPBACK).content) == 1000


def test_a_body_declared_larger_than_the_limit_is_refused_before_reading_it(http_server):
    started = time.monotonic()
    error = fetch_error(http_server.url(f"/huge?size={500 * 1024 * 1024}"), allowed_networks=LOOPBACK)

    assert str(error) == "The response is larger than the 5 MB limit."
    assert time.monotonic() - started < 2


def test_a_chunked_body_is_cut_off_at_the_limit(http_server):
    error = fetch_error(http_server.url("/huge?size=10000000&chunked=1"), max_bytes=1000, allowed_networks=LOOPBACK)

    assert str(error) == "The response is larger than the 1000 byte limit."


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw deflate, as some servers send
    ],
)
def test_compressed_bodies_are_decompressed(http_server, encoding, compress):
    http_server.route("/page", body=compress(PAGE * 100), headers={"Content-Encoding": encoding})

    assert fetch_url(http_server.url("/page"), allowed_networks=LOOPBACK).content == PAGE * 100


def test_the_limit_counts_decompressed_bytes(http_server):
    http_server.route("/page", body=gzip.compress(b"a" * 5000), headers={"Content-Encoding": "gzip"})

    error = fetch_error(http_server.url("/page"), max_bytes=4096, allowed_networks=LOOPBACK)

    assert str(error) == "The response is larger than the 4 KB limit."


def test_a_gzip_bomb_is_stopped_without_decompressing_it_all(http_server):
    httpserver.gzip_bomb()  # built before measuring, so only the client's memory is counted
    tracemalloc.start()
    started = time.monotonic()
    try:
        error = fetch_error(http_server.url("/gzip-bomb"), allowed_networks=LOOPBACK)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert str(error) == "The response is larger than the 5 MB limit."
    assert time.monotonic() - started < 3
    assert peak < 16 * 1024 * 1024  # the whole bomb would be 50 MB


def test_an_unsupported_content_encoding_is_refused(http_server):
    http_server.route("/page", body=b"??", headers={"Content-Encoding": "br"})

    assert "not supported (br)" in str(fetch_error(http_server.url("/page"), allowed_networks=LOOPBACK))


# --- Time limits and failures --------------------------------------------------------


def test_a_slow_drip_is_cut_off_at_the_deadline(http_server):
    started = time.monotonic()
    error = fetch_error(http_server.url("/drip?interval=0.5"), timeout=1.5, allowed_networks=LOOPBACK)
    elapsed = time.monotonic() - started

    assert str(error) == "The server did not answer within 1.5 seconds."
    assert 1.4 < elapsed < 4


def test_a_server_that_never_answers_times_out(http_server):
    started = time.monotonic()
    error = fetch_error(http_server.url("/sleep?seconds=30"), timeout=1, allowed_networks=LOOPBACK)

    assert str(error) == "The server did not answer within 1 second."
    assert time.monotonic() - started < 3


def test_a_closed_port_is_a_connection_error():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    error = fetch_error(f"http://127.0.0.1:{port}/", allowed_networks=LOOPBACK)

    assert str(error) == f"Could not connect to 127.0.0.1:{port}: the connection was refused."
    assert error.status_code is None


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (500, "The server answered 500 Internal Server Error."),
        (404, "The server answered 404 Not Found."),
        (599, "The server answered 599."),
    ],
)
def test_an_error_status_raises_with_the_status_code(http_server, status, message):
    error = fetch_error(http_server.url(f"/status/{status}"), allowed_networks=LOOPBACK)

    assert str(error) == message
    assert error.status_code == status


def test_a_304_answer_to_a_conditional_request_is_returned(http_server):
    http_server.route("/feed", status=304, headers={"ETag": '"v1"'})

    response = fetch_url(http_server.url("/feed"), headers={"If-None-Match": '"v1"'}, allowed_networks=LOOPBACK)

    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["etag"] == '"v1"'
    assert http_server.requests[0].headers["if-none-match"] == '"v1"'


def test_a_304_answer_to_an_unconditional_request_is_an_error(http_server):
    http_server.route("/feed", status=304)

    assert fetch_error(http_server.url("/feed"), allowed_networks=LOOPBACK).status_code == 304


# --- XML entities --------------------------------------------------------------------

DECLARING = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><r>&a;</r>'


@pytest.mark.parametrize(
    "content",
    [
        DECLARING.encode(),
        DECLARING.lower().encode(),
        b"\xef\xbb\xbf" + DECLARING.encode(),
        DECLARING.encode("utf-16"),  # with a byte-order mark
        DECLARING.encode("utf-16-be").join([b"\xfe\xff", b""]),
        DECLARING.encode("utf-16-le"),  # no byte-order mark
        DECLARING.encode("utf-16-be"),
        DECLARING.encode("utf-16-le") + b"\x00",  # odd length
        DECLARING.encode("utf-32"),  # with a byte-order mark
        DECLARING.encode("utf-32-le"),
        DECLARING.encode("utf-32-be") + b"\x00\x00",  # a truncated last character
        DECLARING.replace('"1.0"', '"1.0" encoding="ebcdic-cp-us"').encode("cp037"),
        DECLARING.replace('"1.0"', '"1.0" encoding="IBM500"').encode("cp500"),
        # UTF-7 may spell "<" as "+ADw-", which no byte search for "<!ENTITY" finds.
        b'<?xml version="1.0" encoding="UTF-7"?>+ADw-!DOCTYPE r +AFs-+ADw-!ENTITY a "b"+AD4-+AF0-+AD4-',
        # ISO-2022's switch back to ASCII, where it already is, decodes to nothing.
        b'<?xml version="1.0" encoding="iso-2022-jp"?><!DOCTYPE r [<!EN\x1b(BTITY a "b">]>',
    ],
    ids=lambda content: repr(content[:12]),
)
def test_documents_declaring_entities_are_refused(content):
    with pytest.raises(FetchError, match=r"declares XML entities \(<!ENTITY\), which are refused"):
        refuse_xml_entities(content)


@pytest.mark.parametrize(
    "content",
    [
        b'<?xml version="1.0"?><rss><channel><title>&amp; news</title></channel></rss>',
        b"<!doctype html><p>An article about the ENTITY keyword</p>",
        '<?xml version="1.0" encoding="utf-16"?><feed/>'.encode("utf-16"),
        '<?xml version="1.0" encoding="utf-32"?><feed>é</feed>'.encode("utf-32"),
        '<?xml version="1.0" encoding="cp037"?><feed>news</feed>'.encode("cp037"),
        b'<?xml version="1.0" encoding="x-unknown-to-python"?><feed/>',
        b"",
    ],
)
def test_documents_without_entity_declarations_pass(content):
    refuse_xml_entities(content)


# --- Hosts allowed by name (the quick start's sample feed) ---------------------------


def test_a_host_allowed_by_name_and_port_is_fetched_though_its_address_is_loopback(http_server, connections):
    http_server.route("/page", body=PAGE)

    response = fetch_url(http_server.url("/page"), allowed_hosts=[f"127.0.0.1:{http_server.port}"], allowed_networks=[])

    assert response.content == PAGE


def test_allowing_a_host_on_one_port_opens_no_other_port(http_server, connections):
    error = fetch_error(http_server.url("/page"), allowed_hosts=["127.0.0.1:1"], allowed_networks=[])
    assert str(error) == "Refused: 127.0.0.1 is a loopback address."
    assert connections == []


def test_a_redirect_from_an_allowed_host_to_another_private_one_is_refused(http_server, connections):
    url = http_server.url("/redirect?to=http://127.0.0.2:6379/")
    error = fetch_error(url, allowed_hosts=[f"127.0.0.1:{http_server.port}"], allowed_networks=[])
    assert str(error) == "Refused: 127.0.0.2 is a loopback address."


def test_a_name_allowed_without_a_port_is_allowed_on_any_port(http_server, dns, connections):
    dns.answer("feeds.intranet", "127.0.0.1")
    http_server.route("/page", body=PAGE)
    response = fetch_url(f"http://feeds.intranet:{http_server.port}/page", allowed_hosts=["Feeds.Intranet"])
    assert response.content == PAGE


def test_the_allowed_hosts_come_from_the_setting(http_server, settings):
    settings.RIVALSCOPE_FETCH_ALLOWED_NETWORKS = []
    settings.RIVALSCOPE_FETCH_ALLOWED_HOSTS = [f"127.0.0.1:{http_server.port}"]
    http_server.route("/page", body=PAGE)
    assert fetch_url(http_server.url("/page")).content == PAGE


def test_a_host_allowed_under_a_path_is_fetched_there(http_server, connections):
    http_server.route("/sample/feed.xml", body=PAGE)
    allowance = [f"127.0.0.1:{http_server.port}/sample/"]
    response = fetch_url(http_server.url("/sample/feed.xml"), allowed_hosts=allowance, allowed_networks=[])
    assert response.content == PAGE


@pytest.mark.parametrize("path", ["/admin/login/", "/sample", "/sample/../admin/login/", "/sample/%2e%2e/admin/"])
def test_a_host_allowed_under_a_path_is_refused_elsewhere_before_any_connection(http_server, connections, path):
    http_server.route(path, body=b"the admin login page")
    allowance = [f"127.0.0.1:{http_server.port}/sample/"]
    error = fetch_error(http_server.url(path), allowed_hosts=allowance, allowed_networks=[])
    assert str(error).startswith(f"Refused: only /sample/ may be fetched from 127.0.0.1:{http_server.port}")
    assert error.by_policy
    assert connections == []


def test_a_redirect_out_of_the_allowed_path_on_the_same_server_is_refused(http_server):
    """The same origin, a kept-alive connection: the path is still checked on every hop."""
    http_server.route("/sample/feed.xml", status=302, headers={"Location": "/admin/login/"})
    http_server.route("/admin/login/", body=b"the admin login page")
    allowance = [f"127.0.0.1:{http_server.port}/sample/"]
    error = fetch_error(http_server.url("/sample/feed.xml"), allowed_hosts=allowance, allowed_networks=[])
    assert "only /sample/ may be fetched" in str(error)


def test_the_quick_start_allows_only_its_sample_feed():
    from config.settings import local

    assert [entry.split("/", 1)[1] for entry in local.RIVALSCOPE_FETCH_ALLOWED_HOSTS] == ["sample/"]


@pytest.mark.parametrize("bad", ["intranet:http", ":8000", "[::1]:port", "host:80/a/../b/"])
def test_an_allowed_host_that_is_not_a_host_is_reported(bad):
    error = fetch_error("http://example.com/", allowed_hosts=[bad])
    assert "is not a name such as" in str(error)


def test_an_error_answer_carries_its_headers_for_retry_after(http_server):
    http_server.route("/feed", status=429, headers={"Retry-After": "120"})
    error = fetch_error(http_server.url("/feed"), allowed_networks=LOOPBACK)
    assert error.status_code == 429
    assert error.headers["retry-after"] == "120"


def test_a_plain_ip_address_is_connected_to_without_a_lookup(http_server, dns, connections):
    http_server.route("/page", body=PAGE)

    response = fetch_url(http_server.url("/page"), allowed_networks=LOOPBACK)

    assert response.content == PAGE
    # Only socket.create_connection's own numeric getaddrinfo: no lookup of ours (and no
    # resolver thread) for an address that is already one.
    assert dns.lookups == ["127.0.0.1"]
    assert connections == [("127.0.0.1", http_server.port)]


def test_an_odd_spelling_of_an_address_is_still_resolved_and_judged(http_server, dns, connections):
    with pytest.raises(FetchError, match="loopback"):
        fetch_url(f"http://2130706433:{http_server.port}/", allowed_hosts=[])
    assert connections == []
