"""The outbound address guard (tasks_app/netguard.py) on its own and through the http action."""

import ipaddress

import pytest
from werkzeug import Response

from tasks_app import netguard
from tests.tasks_app.action_helpers import (  # noqa: F401  (fixtures)
    LocalHTTPServer,
    assert_failed,
    assert_succeeded,
    perform_fixture,
    task_run_fixture,
)

HINT = "allow it with HUB_HTTP_ALLOW_PRIVATE"


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback address"),
        ("127.8.9.10", "loopback address"),
        ("::1", "loopback address"),
        ("::ffff:127.0.0.1", "loopback address"),
        ("10.0.0.1", "private address"),
        ("172.16.0.1", "private address"),
        ("172.31.255.254", "private address"),
        ("192.168.1.1", "private address"),
        ("fd12:3456::1", "private address"),
        ("169.254.169.254", "cloud metadata address"),
        ("fd00:ec2::254", "cloud metadata address"),
        ("100.100.100.200", "cloud metadata address"),
        ("169.254.1.1", "link-local address"),
        ("fe80::1", "link-local address"),
        ("0.0.0.0", "unspecified address"),  # noqa: S104  (an address the guard refuses)
        ("::", "unspecified address"),
        ("224.0.0.1", "multicast address"),
        ("ff02::1", "multicast address"),
        ("100.64.0.1", "shared (carrier-grade NAT) address"),
        ("64:ff9b::7f00:1", "loopback address"),  # NAT64
        ("64:ff9b::a00:1", "private address"),
        ("64:ff9b:1::a9fe:a9fe", "cloud metadata address"),  # NAT64 local use
        ("2002:7f00:1::", "loopback address"),  # 6to4
        ("2002:c0a8:101::1", "private address"),
        ("2001:0:4136:e378:8000:63bf:80ff:fffe", "loopback address"),  # Teredo, client 127.0.0.1
        ("::ffff:0:a9fe:a9fe", "cloud metadata address"),  # IPv4-translated
        ("::7f00:1", "loopback address"),  # IPv4-compatible
        ("64:ff9b::808:808", None),  # NAT64 of a public address
        ("2002:808:808::", None),
        ("8.8.8.8", None),
        ("172.32.0.1", None),
        ("2606:4700:4700::1111", None),
        ("93.184.216.34", None),
    ],
)
def test_addresses_are_classified(address, reason):
    assert netguard.refusal_reason(ipaddress.ip_address(address)) == reason


def test_the_allow_list_takes_networks_and_host_names(settings):
    settings.HUB_HTTP_ALLOW_PRIVATE = ["10.1.0.0/16", " erp.internal. ", "::1"]

    netguard.check_address("10.1.2.3")
    netguard.check_address("::1")
    netguard.check_address("192.168.0.5", host="ERP.internal")
    with pytest.raises(netguard.AddressRefused) as refused:
        netguard.check_address("10.2.0.1", host="other.internal")
    assert str(refused.value) == f"refused to connect to 10.2.0.1 (private address); {HINT}"


def test_an_allow_list_entry_with_a_port_allows_that_port_only(settings):
    settings.HUB_HTTP_ALLOW_PRIVATE = "127.0.0.1:8080, [::1]:9000, erp.internal:443, 10.0.0.0/8:5000"

    netguard.check_address("127.0.0.1", port=8080)
    netguard.check_address("::1", port=9000)
    netguard.check_address("192.168.0.5", host="erp.internal", port=443)
    netguard.check_address("10.9.9.9", port=5000)
    netguard.check_address("64:ff9b::7f00:1", port=8080)  # the loopback address it wraps
    for address, host, port in [
        ("127.0.0.1", None, 5432),
        ("127.0.0.1", None, None),
        ("::1", None, 8080),
        ("192.168.0.5", "erp.internal", 22),
        ("10.9.9.9", None, 5001),
    ]:
        with pytest.raises(netguard.AddressRefused):
            netguard.check_address(address, host=host, port=port)


def test_an_http_action_reaches_an_allowed_port_and_not_another_of_the_same_host(
    perform, httpserver, settings
):
    httpserver.expect_request("/ok").respond_with_data("fine")
    settings.HUB_HTTP_ALLOW_PRIVATE = f"127.0.0.1:{httpserver.port}"

    allowed = perform("http", {"method": "get", "url": httpserver.url_for("/ok")})
    refused = perform("http", {"method": "get", "url": f"http://127.0.0.1:{httpserver.port + 1}/"})

    assert (allowed.status, allowed.result["status"], allowed.result["body"]) == ("succeeded", 200, "fine")
    origin = f"http://127.0.0.1:{httpserver.port + 1}"
    assert_failed(refused, f"GET {origin}: refused to connect to 127.0.0.1 (loopback address); {HINT}")


def test_the_allow_list_may_be_one_comma_separated_string(settings):
    settings.HUB_HTTP_ALLOW_PRIVATE = "127.0.0.1, 192.168.0.0/24"

    netguard.check_address("192.168.0.7")
    with pytest.raises(netguard.AddressRefused):
        netguard.check_address("192.168.1.7")


# --- through the http action: the guard is on (no allow-list) unless a test sets one ---------------


@pytest.mark.parametrize(
    ("url", "address", "reason"),
    [
        ("http://10.0.0.1/admin", "10.0.0.1", "private address"),
        ("http://172.16.0.1/", "172.16.0.1", "private address"),
        ("https://192.168.1.1/", "192.168.1.1", "private address"),
        ("http://169.254.169.254/latest/meta-data/iam/", "169.254.169.254", "cloud metadata address"),
        ("http://[::1]:8000/", "::1", "loopback address"),
        ("http://[::ffff:127.0.0.1]/", "127.0.0.1", "loopback address"),
        ("http://0.0.0.0:8000/", "0.0.0.0", "unspecified address"),  # noqa: S104  (refused too)
        ("http://[fe80::1]/", "fe80::1", "link-local address"),
        ("http://[64:ff9b::7f00:1]:8000/", "127.0.0.1", "loopback address"),
        ("http://[2002:a9fe:a9fe::1]/", "169.254.169.254", "cloud metadata address"),
    ],
)
def test_internal_addresses_are_refused(perform, url, address, reason):
    from urllib.parse import urlsplit

    run = perform("http", {"method": "get", "url": url})

    origin = f"{urlsplit(url).scheme}://{urlsplit(url).netloc}"
    assert_failed(run, f"GET {origin}: refused to connect to {address} ({reason}); {HINT}")


def test_a_local_server_is_refused_and_never_contacted(perform, httpserver):
    httpserver.expect_request("/").respond_with_data("secret")
    url = f"http://127.0.0.1:{httpserver.port}/"

    run = perform("http", {"method": "post", "url": url, "body": {"a": 1}})

    assert_failed(
        run,
        f"POST http://127.0.0.1:{httpserver.port}: "
        f"refused to connect to 127.0.0.1 (loopback address); {HINT}",
    )
    assert httpserver.log == []


def test_a_host_name_resolving_to_loopback_is_refused(perform, httpserver):
    httpserver.expect_request("/").respond_with_data("secret")

    run = perform("http", {"method": "get", "url": f"http://localhost:{httpserver.port}/"})

    assert_failed(
        run,
        f"GET http://localhost:{httpserver.port}: refused to connect to 127.0.0.1 (loopback address); {HINT}",
    )
    assert httpserver.log == []


def test_the_resolved_address_is_checked_and_pinned(perform, httpserver, monkeypatch):
    """DNS rebinding: whatever the name resolves to at connect time is what gets checked."""
    answers = []

    def rebinding_resolver(host, port):
        answers.append(host)
        return [(2, 1, 6, "", ("127.0.0.1", port))]

    monkeypatch.setattr(netguard, "resolve", rebinding_resolver)
    httpserver.expect_request("/").respond_with_data("secret")

    run = perform("http", {"method": "get", "url": f"http://rebind.example:{httpserver.port}/"})

    assert_failed(
        run,
        f"GET http://rebind.example:{httpserver.port}: "
        f"refused to connect to 127.0.0.1 (loopback address); {HINT}",
    )
    assert answers == ["rebind.example"]
    assert httpserver.log == []


def test_a_public_answer_is_connected_to_as_resolved(perform, httpserver, monkeypatch, settings):
    """The connection goes to the checked address itself, not to a second lookup of the name."""
    settings.HUB_HTTP_ALLOW_PRIVATE = ["127.0.0.1"]
    monkeypatch.setattr(netguard, "resolve", lambda host, port: [(2, 1, 6, "", ("127.0.0.1", port))])
    httpserver.expect_request("/pinned").respond_with_data("ok")

    run = perform("http", {"method": "get", "url": f"http://shop-api.example:{httpserver.port}/pinned"})

    assert (run.ok, run.result["body"]) == (True, "ok")
    assert httpserver.log[0][0].headers["Host"] == f"shop-api.example:{httpserver.port}"


@pytest.fixture
def second_server():
    """A server on 127.0.0.2, standing in for an allowed (public-looking) host."""
    server = LocalHTTPServer(host="127.0.0.2", port=0)
    server.start()
    yield server
    server.clear()
    server.stop()


def test_a_redirect_to_a_refused_address_is_refused(perform, httpserver, second_server, settings):
    settings.HUB_HTTP_ALLOW_PRIVATE = ["127.0.0.2"]
    internal = f"http://127.0.0.1:{httpserver.port}/internal"
    second_server.expect_request("/start").respond_with_response(
        Response(status=302, headers={"Location": internal})
    )
    httpserver.expect_request("/internal").respond_with_data("secret")

    run = perform("http", {"method": "get", "url": second_server.url_for("/start")})

    assert_failed(
        run,
        f"GET http://127.0.0.2:{second_server.port}: "
        f"refused to connect to 127.0.0.1 (loopback address); {HINT}",
    )
    assert [entry[0].path for entry in second_server.log] == ["/start"]
    assert httpserver.log == []


def test_a_redirect_between_allowed_hosts_is_followed(perform, httpserver, second_server, settings):
    settings.HUB_HTTP_ALLOW_PRIVATE = ["127.0.0.2", "127.0.0.1"]
    second_server.expect_request("/start").respond_with_response(
        Response(status=302, headers={"Location": httpserver.url_for("/end")})
    )
    httpserver.expect_request("/end").respond_with_data("done")

    run = perform("http", {"method": "get", "url": second_server.url_for("/start")})

    assert (run.ok, run.result["body"]) == (True, "done")


@pytest.mark.parametrize("allowed", [["127.0.0.1"], ["127.0.0.0/8"], "127.0.0.1,10.0.0.0/8"])
def test_the_allow_list_lets_local_targets_through(perform, httpserver, settings, allowed):
    settings.HUB_HTTP_ALLOW_PRIVATE = allowed
    httpserver.expect_request("/ok").respond_with_data("fine")

    run = perform("http", {"method": "get", "url": f"http://127.0.0.1:{httpserver.port}/ok"})

    assert (run.ok, run.result["body"]) == (True, "fine")


def test_an_allowed_host_name_does_not_allow_its_address(perform, httpserver, settings):
    settings.HUB_HTTP_ALLOW_PRIVATE = ["localhost"]
    httpserver.expect_request("/ok").respond_with_data("fine")

    by_name = perform("http", {"method": "get", "url": f"http://localhost:{httpserver.port}/ok"})
    by_address = perform("http", {"method": "get", "url": f"http://127.0.0.1:{httpserver.port}/ok"})

    assert (by_name.ok, by_name.result["body"]) == (True, "fine")
    assert_failed(
        by_address,
        f"GET http://127.0.0.1:{httpserver.port}: refused to connect to 127.0.0.1 (loopback address); {HINT}",
    )


def test_a_proxy_on_an_internal_address_is_refused(perform):
    run = perform(
        "http", {"method": "get", "url": "http://93.184.216.34/", "proxy": "http://user:pw@192.168.0.10:3128"}
    )

    assert_failed(
        run, f"GET http://93.184.216.34: refused to connect to 192.168.0.10 (private address); {HINT}"
    )


def test_a_socks_proxy_on_an_internal_address_is_refused(perform):
    run = perform(
        "http", {"method": "get", "url": "http://93.184.216.34/", "proxy": "socks5://10.9.8.7:1080"}
    )

    assert_failed(run, f"GET http://93.184.216.34: refused to connect to 10.9.8.7 (private address); {HINT}")
