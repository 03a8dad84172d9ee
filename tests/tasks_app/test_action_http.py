"""The http action against a real local server (spec/actions.md §2)."""

import base64
import json
import socket

import pytest
from werkzeug import Response

from tests.tasks_app.action_helpers import (  # noqa: F401  (fixtures)
    assert_failed,
    assert_succeeded,
    perform_fixture,
    task_run_fixture,
)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def only_request(httpserver):
    """The single request the server received."""
    assert len(httpserver.log) == 1
    return httpserver.log[0][0]


def test_a_json_body_is_sent_as_json(perform, httpserver):
    httpserver.expect_request("/hooks/slack", method="POST").respond_with_data(
        '{"ok":true}', status=201, content_type="application/json", headers={"X-Request-Id": "r-1"}
    )

    run = perform(
        "http",
        {
            "method": "POST",
            "url": httpserver.url_for("/hooks/slack"),
            "headers": {"Authorization": "Bearer t0ken", "revision": "2023-06-15"},
            "body": {"text": "héllo", "blocks": [1, None, True]},
        },
    )

    request = only_request(httpserver)
    assert request.get_data() == '{"text":"héllo","blocks":[1,null,true]}'.encode()
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Authorization"] == "Bearer t0ken"
    assert request.headers["Revision"] == "2023-06-15"
    assert request.headers["Content-Length"] == str(len(request.get_data()))
    assert_succeeded(
        run,
        {
            "status": 201,
            "headers": {
                "server": run.result["headers"]["server"],
                "date": run.result["headers"]["date"],
                "x-request-id": ["r-1"],
                "content-type": ["application/json"],
                "content-length": ["11"],
                "connection": ["close"],
            },
            "body": {"ok": True},
            "body_base64": b64(b'{"ok":true}'),
        },
    )


def test_a_form_body_uses_bracket_notation(perform, httpserver):
    httpserver.expect_request("/form", method="PUT").respond_with_data("saved", content_type="text/plain")

    run = perform(
        "http",
        {
            "method": "put",
            "url": httpserver.url_for("/form"),
            "headers": {"content-type": "application/x-www-form-urlencoded; charset=utf-8"},
            "body": {"a": {"b": 1, "c": [1, "x y"]}, "flag": True, "none": None, "list": [{"k": "v"}]},
        },
    )

    request = only_request(httpserver)
    assert request.method == "PUT"
    assert request.get_data() == (
        b"a%5Bb%5D=1&a%5Bc%5D%5B%5D=1&a%5Bc%5D%5B%5D=x+y&flag=true&none=&list%5B%5D%5Bk%5D=v"
    )
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded; charset=utf-8"
    assert request.form.to_dict(flat=False) == {
        "a[b]": ["1"],
        "a[c][]": ["1", "x y"],
        "flag": ["true"],
        "none": [""],
        "list[][k]": ["v"],
    }
    assert run.result["status"] == 200
    assert run.result["body"] == "saved"


def test_a_string_body_is_sent_verbatim(perform, httpserver):
    httpserver.expect_request("/xml", method="POST").respond_with_data(
        "<ok/>", content_type="application/xml"
    )

    run = perform(
        "http",
        {
            "method": "post",
            "url": httpserver.url_for("/xml"),
            "headers": {"Content-Type": "application/xml"},
            "body": '<order id="1001">ü</order>',
        },
    )

    request = only_request(httpserver)
    assert request.get_data() == '<order id="1001">ü</order>'.encode()
    assert request.headers["Content-Type"] == "application/xml"
    assert (run.result["body"], run.result["body_base64"]) == ("<ok/>", b64(b"<ok/>"))


def test_a_string_body_gets_no_content_type(perform, httpserver):
    httpserver.expect_request("/raw", method="POST").respond_with_data("")

    perform("http", {"method": "post", "url": httpserver.url_for("/raw"), "body": "a=1"})

    request = only_request(httpserver)
    assert request.get_data() == b"a=1"
    assert "Content-Type" not in request.headers


def test_an_object_body_with_another_content_type_is_json_and_keeps_the_header(perform, httpserver):
    httpserver.expect_request("/vnd", method="PATCH").respond_with_data("")

    perform(
        "http",
        {
            "method": "patch",
            "url": httpserver.url_for("/vnd"),
            "headers": {"Content-Type": "application/vnd.api+json"},
            "body": {"data": {"type": "event"}},
        },
    )

    request = only_request(httpserver)
    assert request.get_data() == b'{"data":{"type":"event"}}'
    assert request.headers["Content-Type"] == "application/vnd.api+json"


def test_a_scalar_body_is_json_encoded(perform, httpserver):
    httpserver.expect_request("/n", method="POST").respond_with_data("")

    perform("http", {"method": "post", "url": httpserver.url_for("/n"), "body": 42})

    request = only_request(httpserver)
    assert (request.get_data(), request.headers["Content-Type"]) == (b"42", "application/json")


def test_a_get_sends_no_body_and_keeps_the_query(perform, httpserver):
    httpserver.expect_request("/products", query_string="page=2&q=a+b", method="GET").respond_with_json(
        [1, 2]
    )

    run = perform(
        "http", {"method": "get", "url": httpserver.url_for("/products") + "?page=2&q=a+b", "verify": "true"}
    )

    request = only_request(httpserver)
    assert request.get_data() == b""
    assert "Content-Type" not in request.headers
    assert run.result["body"] == [1, 2]


def test_repeated_response_headers_are_kept_apart(perform, httpserver):
    response = Response(
        "plain",
        status=200,
        headers=[("Set-Cookie", "a=1"), ("Set-Cookie", "b=2"), ("X-Multi", "one"), ("x-multi", "two")],
        content_type="text/plain; charset=utf-8",
    )
    httpserver.expect_request("/cookies").respond_with_response(response)

    run = perform("http", {"method": "GET", "url": httpserver.url_for("/cookies")})

    headers = run.result["headers"]
    assert headers["set-cookie"] == ["a=1", "b=2"]
    assert headers["x-multi"] == ["one", "two"]
    assert headers["content-type"] == ["text/plain; charset=utf-8"]
    assert all(name == name.lower() for name in headers)


@pytest.mark.parametrize(
    ("content_type", "data", "body"),
    [
        ("application/json; charset=utf-8", b'{"a":[1]}', {"a": [1]}),
        ("application/problem+json", b'{"title":"x"}', {"title": "x"}),
        ("Application/JSON", b"[true]", [True]),
        ("application/json", b"{not json", "{not json"),
        ("text/plain; charset=latin-1", "ünï".encode(), "ünï"),
        ("application/octet-stream", b"\xff\xfeab", "\ufffd\ufffdab"),
        ("application/json", b"", ""),
    ],
)
def test_the_body_is_parsed_by_media_type(perform, httpserver, content_type, data, body):
    httpserver.expect_request("/r").respond_with_response(
        Response(data, headers={"Content-Type": content_type})
    )

    run = perform("http", {"method": "get", "url": httpserver.url_for("/r")})

    assert run.result["body"] == body
    assert run.result["body_base64"] == b64(data)


def test_head_returns_an_empty_body(perform, httpserver):
    httpserver.expect_request("/h", method="HEAD").respond_with_json({"big": "x" * 100})

    run = perform("http", {"method": "head", "url": httpserver.url_for("/h")})

    assert (run.result["status"], run.result["body"], run.result["body_base64"]) == (200, "", "")


def test_a_5xx_response_is_a_success_by_default(perform, httpserver):
    httpserver.expect_request("/down").respond_with_data("upstream down", status=503)

    run = perform("http", {"method": "get", "url": httpserver.url_for("/down")})

    assert run.ok is True
    assert (run.result["status"], run.result["body"]) == (503, "upstream down")


@pytest.mark.parametrize("flag", [True, "true", "TRUE"])
def test_error_on_5xx_fails_the_run(perform, httpserver, flag):
    httpserver.expect_request("/down").respond_with_data("upstream down", status=502)

    run = perform("http", {"method": "get", "url": httpserver.url_for("/down"), "error_on_5xx": flag})

    assert_failed(run, "HTTP 502 response")


def test_error_on_5xx_leaves_4xx_alone(perform, httpserver):
    httpserver.expect_request("/missing").respond_with_json({"error": "no"}, status=404)

    run = perform("http", {"method": "get", "url": httpserver.url_for("/missing"), "error_on_5xx": "true"})

    assert (run.ok, run.result["status"], run.result["body"]) == (True, 404, {"error": "no"})


def test_redirects_are_followed_by_default(perform, httpserver):
    httpserver.expect_request("/old").respond_with_response(
        Response(status=302, headers={"Location": httpserver.url_for("/new")})
    )
    httpserver.expect_request("/new").respond_with_json({"moved": True})

    run = perform("http", {"method": "get", "url": httpserver.url_for("/old")})

    assert [entry[0].path for entry in httpserver.log] == ["/old", "/new"]
    assert (run.result["status"], run.result["body"]) == (200, {"moved": True})


@pytest.mark.parametrize("flag", [False, "false"])
def test_redirects_can_be_returned_instead(perform, httpserver, flag):
    httpserver.expect_request("/old").respond_with_response(
        Response(status=301, headers={"Location": "/new"})
    )

    run = perform("http", {"method": "get", "url": httpserver.url_for("/old"), "follow_redirects": flag})

    assert [entry[0].path for entry in httpserver.log] == ["/old"]
    assert run.result["status"] == 301
    assert run.result["headers"]["location"] == ["/new"]


def test_a_redirect_loop_fails(perform, httpserver):
    httpserver.expect_request("/loop").respond_with_response(
        Response(status=302, headers={"Location": "/loop"})
    )

    run = perform("http", {"method": "get", "url": httpserver.url_for("/loop")})

    assert_failed(run, f"GET http://{httpserver.host}:{httpserver.port}: more than 10 redirects")


def test_a_refused_connection_fails_with_a_clear_error(perform):
    with socket.socket() as sock:  # a port that was free a moment ago, now closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]

    run = perform("http", {"method": "post", "url": f"http://127.0.0.1:{port}/x", "body": {}})

    assert_failed(run, f"POST http://127.0.0.1:{port}: connection failed: Connection refused")


def test_an_unknown_host_fails_with_a_clear_error(perform):
    run = perform("http", {"method": "get", "url": "http://nonexistent.invalid/x"})

    assert run.ok is False
    assert run.error.startswith("GET http://nonexistent.invalid: connection failed: ")
    assert "object at 0x" not in run.error


def test_a_tls_failure_fails_the_run(perform, httpserver):
    httpserver.expect_request("/").respond_with_data("plain http")

    run = perform("http", {"method": "get", "url": f"https://127.0.0.1:{httpserver.port}/"})

    assert run.ok is False
    assert run.error.startswith(f"GET https://127.0.0.1:{httpserver.port}: TLS failed: ")


def test_a_slow_server_times_out(perform, httpserver, settings):
    import time

    settings.HUB_HTTP_READ_TIMEOUT_S = 0.2
    httpserver.expect_request("/slow").respond_with_handler(lambda request: time.sleep(1) or Response("late"))

    run = perform("http", {"method": "get", "url": httpserver.url_for("/slow")})

    assert_failed(run, f"GET http://{httpserver.host}:{httpserver.port}: no response within 0.2 s")


def test_a_response_over_20_mb_fails(perform, httpserver):
    chunk = b"x" * (1024 * 1024)
    httpserver.expect_request("/huge").respond_with_response(
        Response((chunk for _ in range(21)), headers={"Content-Type": "text/plain"}, direct_passthrough=True)
    )

    run = perform("http", {"method": "get", "url": httpserver.url_for("/huge")})

    assert_failed(run, "the response body is larger than 20971520 bytes (20 MB)")


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"url": "http://x.test/"}, 'option "method": is required'),
        (
            {"method": "fetch", "url": "http://x.test/"},
            "option \"method\": 'fetch' is not one of options, head, get, post, put, patch, delete",
        ),
        ({"method": "get"}, 'option "url": is required'),
        (
            {"method": "get", "url": "ftp://x.test/f"},
            "option \"url\": 'ftp://x.test/f' must be an http:// or https:// URL with a host",
        ),
        (
            {"method": "get", "url": "https://"},
            "option \"url\": 'https://' must be an http:// or https:// URL with a host",
        ),
        ({"method": "post", "url": "http://x.test/"}, 'option "body": is required for POST requests'),
        (
            {"method": "put", "url": "http://x.test/", "body": None},
            'option "body": is required for PUT requests',
        ),
        (
            {"method": "get", "url": "http://x.test/", "headers": ["a"]},
            'option "headers": must be an object of header name → value, got array',
        ),
        (
            {"method": "get", "url": "http://x.test/", "headers": {"Bad Name": "v"}},
            "option \"headers\": 'Bad Name' is not a valid header name",
        ),
        (
            {"method": "get", "url": "http://x.test/", "headers": {"X": "a\r\nEvil: 1"}},
            "option \"headers\": the value of 'X' must not contain line breaks or surrounding spaces",
        ),
        (
            {"method": "get", "url": "http://x.test/", "headers": {"X": {"a": 1}}},
            "option \"headers\": the value of 'X' must be a string, got object",
        ),
        (
            {"method": "get", "url": "http://x.test/", "headers": {"X": "ŝ"}},
            "option \"headers\": the value of 'X' must be Latin-1 text",
        ),
        (
            {"method": "get", "url": "http://x.test/", "verify": "yes"},
            'option "verify": must be true or false, got "yes"',
        ),
        (
            {"method": "get", "url": "http://x.test/", "error_on_5xx": 1},
            'option "error_on_5xx": must be true or false, got 1',
        ),
        (
            {
                "method": "post",
                "url": "http://x.test/",
                "body": {},
                "files": {"file": {"url": "http://x.test/a"}},
            },
            'option "files": file uploads are not supported yet',
        ),
        (
            {"method": "get", "url": "http://x.test/", "proxy": "http://proxy.test:3128"},
            'option "proxy": proxies are not supported yet',
        ),
        (
            {
                "method": "post",
                "url": "http://x.test/",
                "headers": {"Content-Type": "application/x-www-form-urlencoded"},
                "body": [1],
            },
            'option "body": a form body array must hold [name, value] pairs',
        ),
        ("http://x.test/", "options must be an object, got string"),
    ],
)
def test_invalid_options_fail_before_any_request(perform, options, error):
    run = perform("http", options)

    assert_failed(run, error)


def test_unknown_options_are_ignored(perform, httpserver):
    # A library task passes "meta" inside the options; Mechanic ignores it.
    httpserver.expect_request("/s").respond_with_json({})

    run = perform("http", {"method": "get", "url": httpserver.url_for("/s"), "meta": {"order": 1}})

    assert run.ok is True


def test_a_form_body_array_of_pairs_keeps_repeated_names(perform, httpserver):
    httpserver.expect_request("/f", method="POST").respond_with_data("")

    perform(
        "http",
        {
            "method": "post",
            "url": httpserver.url_for("/f"),
            "headers": {"Content-Type": "application/x-www-form-urlencoded"},
            "body": [["tag", "a"], ["tag", "b"]],
        },
    )

    assert only_request(httpserver).get_data() == b"tag=a&tag=b"


def test_json_in_the_result_round_trips(perform, httpserver):
    payload = {"nested": {"list": [1.5, "ü", None]}}
    httpserver.expect_request("/j").respond_with_data(json.dumps(payload), content_type="application/json")

    run = perform("http", {"method": "options", "url": httpserver.url_for("/j")})

    assert only_request(httpserver).method == "OPTIONS"
    assert run.result["body"] == payload


@pytest.fixture
def tls_server(tmp_path):
    """A local HTTPS server with a self-signed certificate for 127.0.0.1."""
    import datetime
    import ipaddress
    import ssl

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    from pytest_httpserver import HTTPServer

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    san = x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(san, critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    server = HTTPServer(host="127.0.0.1", port=0, ssl_context=context)
    server.start()
    yield server
    server.clear()
    server.stop()


def test_verify_rejects_a_self_signed_certificate(perform, tls_server):
    tls_server.expect_request("/secure").respond_with_data("ok")

    run = perform("http", {"method": "get", "url": tls_server.url_for("/secure")})

    assert run.ok is False
    assert run.error.startswith(f"GET https://127.0.0.1:{tls_server.port}: TLS failed: ")
    assert "CERTIFICATE_VERIFY_FAILED" in run.error
    assert tls_server.log == []


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
@pytest.mark.parametrize("flag", [False, "False"])
def test_verify_false_accepts_a_self_signed_certificate(perform, tls_server, flag):
    tls_server.expect_request("/secure").respond_with_data("ok")

    run = perform("http", {"method": "get", "url": tls_server.url_for("/secure"), "verify": flag})

    assert (run.ok, run.result["status"], run.result["body"]) == (True, 200, "ok")
