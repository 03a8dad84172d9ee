"""The http action against a real local server (spec/actions.md §2)."""

import base64
import json
import socket

import pytest
from werkzeug import Response

from tests.tasks_app.action_helpers import (  # noqa: F401  (fixtures)
    LocalHTTPServer,
    assert_failed,
    assert_succeeded,
    perform_fixture,
    task_run_fixture,
)

pytestmark = pytest.mark.usefixtures("allow_local")


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
            {"method": "post", "url": "http://x.test/", "body": "a=1", "files": {"f.txt": "x"}},
            'option "body": must be an object when "files" is given, got string',
        ),
        (
            {"method": "post", "url": "http://x.test/", "files": ["f.txt"]},
            'option "files": must be an object of filename → file generator, got array',
        ),
        (
            {"method": "post", "url": "http://x.test/", "files": {"f": {"pdf": {}, "zip": {}}}},
            'option "files": file "f": a file generator object has exactly one key, got "pdf", "zip"',
        ),
        (
            {"method": "post", "url": "http://x.test/", "files": {"f": {"docx": "x"}}},
            'option "files": file "f": unknown file generator "docx" (expected one of base64, pdf, '
            "plaintext, url, zip)",
        ),
        (
            {"method": "get", "url": "http://x.test/", "proxy": "ftp://proxy.test:21"},
            'option "proxy": must be an http://, https:// or socks5:// URI with a host',
        ),
        (
            {"method": "get", "url": "http://x.test/", "proxy": "http://proxy.test:99999"},
            'option "proxy": has an invalid port',
        ),
        (
            {"method": "get", "url": "http://x.test/", "proxy": 3128},
            'option "proxy": must be a string, got number',
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
    server = LocalHTTPServer(host="127.0.0.1", port=0, ssl_context=context)
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


# --- multipart uploads from file generators (spec/actions.md §2 "Request body" rule 1) --------------------


def boundary_of(request) -> str:
    content_type = request.headers["Content-Type"]
    assert content_type.startswith("multipart/form-data; boundary=hub-"), content_type
    return content_type.split("boundary=", 1)[1]


def test_files_are_sent_as_multipart_parts_named_by_their_keys(perform, httpserver):
    httpserver.expect_request("/upload", method="POST").respond_with_data("", status=201)

    run = perform(
        "http",
        {
            "method": "post",
            "url": httpserver.url_for("/upload"),
            "headers": {"Content-Type": "application/json", "X-Upload": "1"},
            "body": {
                "key": "tmp/1/products.jsonl",
                "acl": "private",
                "n": 3,
                "flag": True,
                "meta": {"a": [1]},
            },
            "files": {"file": '{"title":"Mug"}\n', "logo.png": {"base64": "iVBORw0KGgo="}},
        },
    )

    request = only_request(httpserver)
    boundary = boundary_of(request)
    assert request.headers["X-Upload"] == "1"
    assert (
        request.get_data()
        == (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="key"\r\n\r\ntmp/1/products.jsonl\r\n'
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="acl"\r\n\r\nprivate\r\n'
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="n"\r\n\r\n3\r\n'
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="flag"\r\n\r\ntrue\r\n'
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="meta"\r\n\r\n{"a":[1]}\r\n'
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="file"; filename="file"\r\n'
            "Content-Type: text/plain\r\n\r\n"
            '{"title":"Mug"}\n\r\n'
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="logo.png"; filename="logo.png"\r\n'
            "Content-Type: image/png\r\n\r\n"
        ).encode()
        + b"\x89PNG\r\n\x1a\n"
        + f"\r\n--{boundary}--\r\n".encode()
    )
    assert request.form.to_dict() == {
        "key": "tmp/1/products.jsonl",
        "acl": "private",
        "n": "3",
        "flag": "true",
        "meta": '{"a":[1]}',
    }
    assert request.files["logo.png"].read() == b"\x89PNG\r\n\x1a\n"
    assert run.result["status"] == 201


def test_a_pdf_file_part_holds_the_rendered_pdf(perform, httpserver):
    import io

    from pypdf import PdfReader

    httpserver.expect_request("/docs", method="PUT").respond_with_data("ok")

    perform(
        "http",
        {
            "method": "put",
            "url": httpserver.url_for("/docs"),
            "files": {"doc.pdf": {"pdf": {"html": "<p>Packing slip 7</p>"}}},
        },
    )

    request = only_request(httpserver)
    uploaded = request.files["doc.pdf"]
    assert (uploaded.filename, uploaded.mimetype) == ("doc.pdf", "application/pdf")
    assert PdfReader(io.BytesIO(uploaded.read())).pages[0].extract_text() == "Packing slip 7"


def test_a_file_generator_error_fails_before_sending(perform, httpserver):
    httpserver.expect_request("/upload").respond_with_data("")

    run = perform(
        "http",
        {"method": "post", "url": httpserver.url_for("/upload"), "files": {"f.bin": {"base64": "***"}}},
    )

    assert_failed(run, 'file "f.bin": the base64 generator\'s value is not valid base64')
    assert httpserver.log == []


# --- proxies -------------------------------------------------------------------------------------------


class RecordingPeer:
    """A tiny TCP server on 127.0.0.1 that records what arrives and answers one canned HTTP response.

    ``socks=True`` makes it speak SOCKS5 with username/password authentication first (RFC 1928,
    RFC 1929); either way it then plays the origin server itself.
    """

    def __init__(self, *, socks: bool = False):
        import socketserver
        import threading

        peer = self
        self.requests: list[bytes] = []
        self.socks_auth: list[tuple[bytes, bytes]] = []
        self.socks_targets: list[tuple[str, int]] = []

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                sock = self.request
                if socks:
                    peer.socks_handshake(sock)
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = sock.recv(4096)
                    if not chunk:
                        return
                    data += chunk
                peer.requests.append(data)
                body = b"via peer"
                sock.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n"
                    + f"Content-Length: {len(body)}\r\n\r\n".encode()
                    + body
                )

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        # Checks for shutdown() every 0.05 s (the default 0.5 s would hold up every teardown).
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def socks_handshake(self, sock) -> None:
        import ipaddress
        import struct

        def read(count: int) -> bytes:
            data = b""
            while len(data) < count:
                data += sock.recv(count - len(data))
            return data

        _version, methods = read(2)
        assert 2 in read(methods)
        sock.sendall(b"\x05\x02")  # username/password
        _auth_version, user_length = read(2)
        user = read(user_length)
        (password_length,) = read(1)
        self.socks_auth.append((user, read(password_length)))
        sock.sendall(b"\x01\x00")
        _version, _command, _reserved, address_type = read(4)
        if address_type == 1:
            host = str(ipaddress.IPv4Address(read(4)))
        else:
            (length,) = read(1)
            host = read(length).decode()
        (port,) = struct.unpack("!H", read(2))
        self.socks_targets.append((host, port))
        sock.sendall(b"\x05\x00\x00\x01\x00\x00\x00\x00\x00\x00")

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def http_proxy():
    peer = RecordingPeer()
    yield peer
    peer.close()


@pytest.fixture
def socks_proxy():
    peer = RecordingPeer(socks=True)
    yield peer
    peer.close()


def test_an_http_proxy_with_credentials_carries_the_request(perform, http_proxy):
    run = perform(
        "http",
        {
            "method": "get",
            "url": "http://api.partner.example/v1/items?page=2",
            "headers": {"X-Key": "k1"},
            "proxy": f"http://proxyuser:pr%40xy@127.0.0.1:{http_proxy.port}",
        },
    )

    (request,) = http_proxy.requests
    head = request.decode().split("\r\n")
    assert head[0] == "GET http://api.partner.example/v1/items?page=2 HTTP/1.1"
    assert "Proxy-Authorization: Basic " + b64(b"proxyuser:pr@xy") in head
    assert "X-Key: k1" in head
    assert (run.ok, run.result["status"], run.result["body"]) == (True, 200, "via peer")


def test_a_socks5_proxy_with_credentials_carries_the_request(perform, socks_proxy):
    run = perform(
        "http",
        {
            "method": "post",
            "url": "http://198.51.100.7/hooks",
            "body": {"a": 1},
            "proxy": f"socks5://sockuser:s3cret@127.0.0.1:{socks_proxy.port}",
        },
    )

    assert socks_proxy.socks_auth == [(b"sockuser", b"s3cret")]
    assert socks_proxy.socks_targets == [("198.51.100.7", 80)]
    (request,) = socks_proxy.requests
    assert request.startswith(b"POST /hooks HTTP/1.1\r\n")
    assert (run.ok, run.result["body"]) == (True, "via peer")


def test_an_unreachable_proxy_fails_the_run(perform):
    from tests.tasks_app.conftest import free_port

    port = free_port()

    run = perform(
        "http", {"method": "get", "url": "http://198.51.100.7/", "proxy": f"http://127.0.0.1:{port}"}
    )

    assert run.ok is False
    assert run.error.startswith("GET http://198.51.100.7: proxy failed: ")


# --- secrets (spec/actions.md §0.4, spec/platform.md §5.3) ----------------------------------------------


def stored_row_json(run) -> str:
    """Everything stored for the action run, as one JSON text."""
    from django.forms.models import model_to_dict

    from runs.models import ActionRun

    row = ActionRun.objects.get(pk=run.pk)
    return json.dumps(model_to_dict(row), default=str, ensure_ascii=False)


def test_secrets_are_sent_but_never_stored(perform, httpserver, secret_reference):
    token = secret_reference("api_token", "tok-8c1f2e77a9")
    path_key = secret_reference("path_key", "pk-55aa")
    httpserver.expect_request("/v1/pk-55aa/orders", method="POST").respond_with_data(
        '{"echo":"tok-8c1f2e77a9","seen":"pk-55aa"}', content_type="application/json"
    )
    options = {
        "method": "post",
        "url": httpserver.url_for("/v1/") + path_key + "/orders",
        "headers": {"Authorization": "Bearer " + token},
        "body": {"token": token, "note": "plain"},
    }

    run = perform("http", options)

    request = only_request(httpserver)
    assert request.headers["Authorization"] == "Bearer tok-8c1f2e77a9"
    assert request.get_data() == b'{"token":"tok-8c1f2e77a9","note":"plain"}'
    assert run.options == options  # the references, not the values
    assert_succeeded(
        run,
        {
            "status": 200,
            "headers": run.result["headers"],
            "body": {
                "echo": "__mechanic_secret_value_redacted__",
                "seen": "__mechanic_secret_value_redacted__",
            },
            "body_base64": "__mechanic_secret_value_redacted__",
        },
    )
    stored = stored_row_json(run)
    assert "tok-8c1f2e77a9" not in stored and "pk-55aa" not in stored
    assert b64(b"tok-8c1f2e77a9")[:12] not in stored


def test_a_secret_in_an_error_is_redacted(perform, secret_reference):
    from tests.tasks_app.conftest import free_port

    host = secret_reference("internal_host", "127.0.0.1")
    port = free_port()

    run = perform("http", {"method": "get", "url": f"http://{host}:{port}/x"})

    assert_failed(
        run, f"GET http://__mechanic_secret_value_redacted__:{port}: connection failed: Connection refused"
    )


def test_files_keep_secret_references(perform, httpserver, secret_reference):
    token = secret_reference("api_token", "tok-1234567")
    httpserver.expect_request("/u", method="POST").respond_with_data("")

    perform(
        "http",
        {
            "method": "post",
            "url": httpserver.url_for("/u"),
            "headers": {"X-T": token},
            "files": {"f.txt": token},
        },
    )

    request = only_request(httpserver)
    assert request.headers["X-T"] == "tok-1234567"
    assert request.files["f.txt"].read().decode() == token


def test_a_missing_secret_fails_before_sending(perform, httpserver, secret_reference, task_run):
    from tasks_app.secrets import secret_reference as reference

    secret_reference("present", "x")  # gives the task run its nonce
    httpserver.expect_request("/x").respond_with_data("")

    run = perform(
        "http",
        {
            "method": "get",
            "url": httpserver.url_for("/x"),
            "headers": {"X": reference("gone", task_run.secret_nonce)},
        },
    )

    assert_failed(run, "secret not found: gone")
    assert httpserver.log == []


def test_a_reference_from_another_run_stays_inert(perform, httpserver, secret_reference):
    from tasks_app.secrets import secret_reference as reference

    secret_reference("api_token", "tok-abcdef")
    smuggled = reference("api_token", "0" * 32)
    httpserver.expect_request("/x", method="POST").respond_with_data("")

    perform("http", {"method": "post", "url": httpserver.url_for("/x"), "body": {"echoed": smuggled}})

    assert only_request(httpserver).get_json() == {"echoed": smuggled}
