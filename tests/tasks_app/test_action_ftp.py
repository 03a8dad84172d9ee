"""The ftp action against real local FTP/FTPS (pyftpdlib) and SFTP (paramiko) servers (spec/actions.md §4)."""

import base64
import datetime
import io
import ipaddress
import json
import os
import re
import socket
import threading

import paramiko
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.oid import NameOID
from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler, TLS_FTPHandler
from pyftpdlib.servers import FTPServer

from tests.tasks_app.action_helpers import (  # noqa: F401  (fixtures)
    assert_failed,
    assert_succeeded,
    perform_fixture,
    task_run_fixture,
)
from tests.tasks_app.conftest import free_port

USER, PASSWORD = "alice", "wonderland-pass"
REDACTED = "__mechanic_secret_value_redacted__"

pytestmark = pytest.mark.usefixtures("allow_local")


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def stored_row_json(run) -> str:
    from django.forms.models import model_to_dict

    from runs.models import ActionRun

    return json.dumps(model_to_dict(ActionRun.objects.get(pk=run.pk)), default=str, ensure_ascii=False)


# --- FTP and FTPS servers ----------------------------------------------------------------------------------


def self_signed_cert(directory) -> tuple[str, str]:
    """A certificate and key for 127.0.0.1 (PEM files in ``directory``)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "ftps-cert.pem", directory / "ftps-key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return str(cert_file), str(key_file)


class LocalFTP:
    """A pyftpdlib server on 127.0.0.1 serving ``home`` to alice (explicit FTPS when ``tls``)."""

    def __init__(self, home, *, tls: bool = False, certs: tuple[str, str] | None = None):
        self.home = home
        authorizer = DummyAuthorizer()
        authorizer.add_user(USER, PASSWORD, str(home), perm="elradfmwMT")
        base = TLS_FTPHandler if tls else FTPHandler
        # A failed login is answered at once, not after pyftpdlib's 3 s anti-brute-force delay.
        attributes = {"authorizer": authorizer, "banner": "Hub test FTPD ready.", "auth_failed_timeout": 0}
        handler = type("Handler", (base,), attributes)
        if tls:
            handler.certfile, handler.keyfile = certs
            handler.tls_control_required = handler.tls_data_required = True
        self.server = FTPServer(("127.0.0.1", 0), handler)
        self.port = self.server.address[1]
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"timeout": 0.05}, daemon=True
        )
        self.thread.start()

    def close(self) -> None:
        self.server.close_all()
        self.thread.join(5)


@pytest.fixture
def ftp_server(tmp_path):
    home = tmp_path / "ftp-home"
    home.mkdir()
    server = LocalFTP(home)
    yield server
    server.close()


@pytest.fixture
def ftps_server(tmp_path):
    home = tmp_path / "ftps-home"
    home.mkdir()
    server = LocalFTP(home, tls=True, certs=self_signed_cert(tmp_path))
    yield server
    server.close()


def normalised_log(log: str) -> str:
    """The transcript with what varies between runs made constant: the passive-mode data ports
    (``p1,p2``), and pyftpdlib's preliminary reply, which is 125 when the data connection won the
    race against the command and 150 otherwise."""
    log = re.sub(r"\(127,0,0,1,\d+,\d+\)", "(127,0,0,1,p1,p2)", log)
    return log.replace(
        "< 150 File status okay. About to open data connection.",
        "< 125 Data connection already open. Transfer starting.",
    )


def ftp_options(server, **options) -> dict:
    return {"host": "127.0.0.1", "port": server.port, "user": USER, "password": PASSWORD, **options}


def test_it_uploads_then_downloads_over_ftp(perform, ftp_server):
    (ftp_server.home / "reports").mkdir()
    (ftp_server.home / "inbox.csv").write_bytes(b"sku,qty\nA-1,3\n\xff")

    run = perform(
        "ftp",
        ftp_options(
            ftp_server,
            protocol="ftp",
            uploads={
                "table.csv": "Title,SKU\nRed T-Shirt,TEE-R",
                "reports/logo.png": {"base64": "iVBORw0KGgo="},
            },
            downloads=["inbox.csv", "reports/logo.png"],
        ),
    )

    assert (ftp_server.home / "table.csv").read_bytes() == b"Title,SKU\nRed T-Shirt,TEE-R"
    assert (ftp_server.home / "reports" / "logo.png").read_bytes() == b"\x89PNG\r\n\x1a\n"
    assert normalised_log(run.result["log"]) == (
        f"connect: 127.0.0.1, {ftp_server.port}\n"
        "< 220 Hub test FTPD ready.\n"
        "> USER ********\n"
        "< 331 Username ok, send password.\n"
        "> PASS ********\n"
        "< 230 Login successful.\n"
        "> TYPE I\n< 200 Type set to: Binary.\n"
        "> PASV\n< 227 Entering passive mode (127,0,0,1,p1,p2).\n"
        "> STOR table.csv\n< 125 Data connection already open. Transfer starting.\n< 226 Transfer complete.\n"
        "> TYPE I\n< 200 Type set to: Binary.\n"
        "> PASV\n< 227 Entering passive mode (127,0,0,1,p1,p2).\n"
        "> STOR reports/logo.png\n< 125 Data connection already open. Transfer starting.\n"
        "< 226 Transfer complete.\n"
        "> TYPE I\n< 200 Type set to: Binary.\n"
        "> PASV\n< 227 Entering passive mode (127,0,0,1,p1,p2).\n"
        "> RETR inbox.csv\n< 125 Data connection already open. Transfer starting.\n< 226 Transfer complete.\n"
        "> TYPE I\n< 200 Type set to: Binary.\n"
        "> PASV\n< 227 Entering passive mode (127,0,0,1,p1,p2).\n"
        "> RETR reports/logo.png\n< 125 Data connection already open. Transfer starting.\n"
        "< 226 Transfer complete.\n"
        "> QUIT\n< 221 Goodbye.\n"
    )
    assert_succeeded(
        run,
        {
            "log": run.result["log"],
            "uploads": {"table.csv": {"size": 27}, "reports/logo.png": {"size": 8}},
            "downloads": {
                "inbox.csv": {
                    "size": 15,
                    "data": "sku,qty\nA-1,3\n\ufffd",
                    "data_base64": b64(b"sku,qty\nA-1,3\n\xff"),
                },
                "reports/logo.png": {
                    "size": 8,
                    "data": "\ufffdPNG\r\n\x1a\n",
                    "data_base64": b64(b"\x89PNG\r\n\x1a\n"),
                },
            },
        },
    )


def test_the_protocol_is_inferred_as_ftp_and_absolute_paths_are_kept(perform, ftp_server):
    # pyftpdlib roots the session in the home directory, so "/abs.txt" lands there too.
    run = perform("ftp", ftp_options(ftp_server, uploads={"/abs.txt": "x", "rel.txt": "y"}))

    assert (ftp_server.home / "abs.txt").read_bytes() == b"x"
    assert (ftp_server.home / "rel.txt").read_bytes() == b"y"
    assert run.result["uploads"] == {"/abs.txt": {"size": 1}, "rel.txt": {"size": 1}}
    assert "> STOR /abs.txt\n" in run.result["log"]


def test_ascii_mode_sends_crlf_and_reads_back_lf(perform, ftp_server):
    run = perform(
        "ftp",
        ftp_options(ftp_server, mode="ascii", uploads={"notes.txt": "one\ntwo\n"}, downloads=["notes.txt"]),
    )

    assert (ftp_server.home / "notes.txt").read_bytes() == b"one\ntwo\n"
    assert run.result["downloads"]["notes.txt"]["data"] == "one\ntwo\n"
    assert "> TYPE A\n< 200 Type set to: ASCII.\n" in run.result["log"]


def test_a_pdf_upload_is_generated_before_connecting(perform, ftp_server):
    from pypdf import PdfReader

    run = perform("ftp", ftp_options(ftp_server, uploads={"slip.pdf": {"pdf": {"html": "<p>Slip 12</p>"}}}))

    data = (ftp_server.home / "slip.pdf").read_bytes()
    assert PdfReader(io.BytesIO(data)).pages[0].extract_text() == "Slip 12"
    assert run.result["uploads"] == {"slip.pdf": {"size": len(data)}}


def test_a_wrong_password_fails_permanently(perform, ftp_server):
    run = perform("ftp", ftp_options(ftp_server, password="nope", uploads={"a.txt": "a"}))

    assert_failed(run, "login failed: 530 Authentication failed.")
    assert not (ftp_server.home / "a.txt").exists()


def test_a_missing_download_fails(perform, ftp_server):
    run = perform("ftp", ftp_options(ftp_server, uploads={"a.txt": "a"}, downloads=["missing.csv"]))

    assert run.ok is False
    assert run.error.startswith("download 'missing.csv': 550 ")
    assert (ftp_server.home / "a.txt").read_bytes() == b"a"  # uploads before the failure stay


def test_an_upload_into_a_missing_directory_fails(perform, ftp_server):
    run = perform("ftp", ftp_options(ftp_server, uploads={"no/such/dir.txt": "a"}))

    assert run.ok is False
    assert run.error.startswith("upload 'no/such/dir.txt': 550 ")


def test_downloads_over_20_mb_fail(perform, ftp_server):
    (ftp_server.home / "big.bin").write_bytes(b"\0" * (12 * 1024 * 1024))
    (ftp_server.home / "big2.bin").write_bytes(b"\0" * (9 * 1024 * 1024))

    run = perform("ftp", ftp_options(ftp_server, downloads=["big.bin", "big2.bin"]))

    assert_failed(run, "the downloads are larger than 20971520 bytes (20 MB) in total")


def test_a_refused_connection_is_transient(perform):
    port = free_port()

    run = perform("ftp", {"host": "127.0.0.1", "port": port, "user": USER, "uploads": {"a": "a"}})

    assert_failed(run, f"could not connect to 127.0.0.1, {port}: Connection refused")


def test_internal_hosts_are_refused_without_the_allow_list(perform, ftp_server, settings):
    settings.HUB_HTTP_ALLOW_PRIVATE = []

    run = perform("ftp", ftp_options(ftp_server, uploads={"a.txt": "a"}))

    assert_failed(
        run,
        "127.0.0.1: refused to connect to 127.0.0.1 (loopback address); allow it with HUB_HTTP_ALLOW_PRIVATE",
    )


def test_secret_credentials_are_used_and_never_stored(perform, ftp_server, secret_reference):
    user = secret_reference("ftp_user", USER)
    password = secret_reference("ftp_password", PASSWORD)
    (ftp_server.home / "echo.txt").write_text(f"user={USER} password={PASSWORD}")
    options = {
        "protocol": "ftp",
        "host": "127.0.0.1",
        "port": ftp_server.port,
        "user": user,
        "password": password,
        "uploads": {"ref.txt": password},
        "downloads": ["echo.txt"],
    }

    run = perform("ftp", options)

    assert (ftp_server.home / "ref.txt").read_text() == password  # contents keep the reference
    assert run.options == options
    assert run.result["downloads"] == {
        "echo.txt": {"size": 35, "data": f"user={REDACTED} password={REDACTED}", "data_base64": REDACTED}
    }
    assert "> USER ********\n" in run.result["log"] and "> PASS ********\n" in run.result["log"]
    stored = stored_row_json(run)
    assert USER not in stored and PASSWORD not in stored


def test_explicit_ftps_protects_control_and_data(perform, ftps_server):
    run = perform(
        "ftp",
        ftp_options(
            ftps_server, protocol="ftps", verify=False, uploads={"s.txt": "secure"}, downloads=["s.txt"]
        ),
    )

    assert (ftps_server.home / "s.txt").read_bytes() == b"secure"
    log = normalised_log(run.result["log"])
    assert log.startswith(
        f"connect: 127.0.0.1, {ftps_server.port}\n< 220 Hub test FTPD ready.\n"
        "> AUTH TLS\n< 234 AUTH TLS successful.\n"
        "> USER ********\n< 331 Username ok, send password.\n"
        "> PASS ********\n< 230 Login successful.\n"
        "> PBSZ 0\n< 200 PBSZ=0 successful.\n"
        "> PROT P\n< 200 Protection set to Private\n"
    )
    assert run.result["downloads"] == {"s.txt": {"size": 6, "data": "secure", "data_base64": b64(b"secure")}}


def test_ftps_verifies_the_certificate_by_default(perform, ftps_server):
    run = perform("ftp", ftp_options(ftps_server, protocol="ftps", uploads={"s.txt": "secure"}))

    assert_failed(run, f"127.0.0.1, {ftps_server.port}: TLS failed: self-signed certificate")
    assert not (ftps_server.home / "s.txt").exists()


# --- SFTP ----------------------------------------------------------------------------------------------


class SFTPHandle(paramiko.SFTPHandle):
    def stat(self):
        return paramiko.SFTPAttributes.from_stat(os.fstat(self.readfile.fileno()))


def sftp_server_interface(root: str):
    class Interface(paramiko.SFTPServerInterface):
        def _path(self, path: str) -> str:
            return root + self.canonicalize(path)

        def open(self, path, flags, attr):
            path = self._path(path)
            try:
                descriptor = os.open(path, flags, 0o644)
            except OSError as exc:
                return paramiko.SFTPServer.convert_errno(exc.errno)
            mode = "wb" if flags & os.O_WRONLY else "r+b" if flags & os.O_RDWR else "rb"
            handle = SFTPHandle(flags)
            handle.filename = path
            handle.readfile = handle.writefile = os.fdopen(descriptor, mode)
            return handle

        def stat(self, path):
            try:
                return paramiko.SFTPAttributes.from_stat(os.stat(self._path(path)))
            except OSError as exc:
                return paramiko.SFTPServer.convert_errno(exc.errno)

        lstat = stat

    return Interface


class LocalSFTP:
    """A paramiko SFTP server on 127.0.0.1 whose root is ``home``; alice logs in by password or key."""

    def __init__(self, home, client_key):
        self.home = home
        self.host_key = paramiko.ECDSAKey.generate()
        self.client_key = client_key
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.transports: list[paramiko.Transport] = []
        self.auth_methods: list[str] = []
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self) -> None:
        server = self

        class Auth(paramiko.ServerInterface):
            def get_allowed_auths(self, username):
                return "password,publickey"

            def check_auth_password(self, username, password):
                ok = (username, password) == (USER, PASSWORD)
                server.auth_methods.append(f"password {'ok' if ok else 'failed'}")
                return paramiko.AUTH_SUCCESSFUL if ok else paramiko.AUTH_FAILED

            def check_auth_publickey(self, username, key):
                ok = username == USER and key.asbytes() == server.client_key.asbytes()
                server.auth_methods.append(f"publickey {'ok' if ok else 'failed'}")
                return paramiko.AUTH_SUCCESSFUL if ok else paramiko.AUTH_FAILED

            def check_channel_request(self, kind, chanid):
                return paramiko.OPEN_SUCCEEDED

        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            transport = paramiko.Transport(conn)
            transport.add_server_key(self.host_key)
            transport.set_subsystem_handler(
                "sftp", paramiko.SFTPServer, sftp_server_interface(str(self.home))
            )
            transport.start_server(server=Auth())
            self.transports.append(transport)

    def known_hosts(self, key=None) -> str:
        key = key or self.host_key
        return f"[127.0.0.1]:{self.port} {key.get_name()} {key.get_base64()}\n"

    def close(self) -> None:
        self.listener.close()
        for transport in self.transports:
            transport.close()


@pytest.fixture
def client_key():
    return paramiko.ECDSAKey.generate()


@pytest.fixture
def sftp_server(tmp_path, client_key):
    home = tmp_path / "sftp-home"
    home.mkdir()
    server = LocalSFTP(home, client_key)
    yield server
    server.close()


def pem_of(key: paramiko.PKey) -> str:
    buffer = io.StringIO()
    key.write_private_key(buffer)
    return buffer.getvalue()


def test_sftp_with_a_password(perform, sftp_server):
    (sftp_server.home / "in.csv").write_bytes(b"a,b\n")

    run = perform(
        "ftp",
        {
            "protocol": "sftp",
            "host": "127.0.0.1",
            "port": sftp_server.port,
            "user": USER,
            "password": PASSWORD,
            "uploads": {"products.csv": "Handle,Title\nmug,Mug\n"},
            "downloads": ["in.csv"],
        },
    )

    assert (sftp_server.home / "products.csv").read_bytes() == b"Handle,Title\nmug,Mug\n"
    fingerprint = sftp_server.host_key.fingerprint
    assert_succeeded(
        run,
        {
            "log": (
                f"connect: 127.0.0.1, {sftp_server.port}\n"
                f"host key: ecdsa-sha2-nistp256 {fingerprint} (not checked)\n"
                "login: ******** (password)\n"
                "put products.csv: 21 bytes\n"
                "get in.csv: 4 bytes\n"
                "disconnect\n"
            ),
            "uploads": {"products.csv": {"size": 21}},
            "downloads": {"in.csv": {"size": 4, "data": "a,b\n", "data_base64": b64(b"a,b\n")}},
        },
    )
    assert sftp_server.auth_methods == ["password ok"]


def test_sftp_with_a_private_key_and_a_checked_host_key(perform, sftp_server, client_key):
    run = perform(
        "ftp",
        {
            "host": "127.0.0.1",
            "port": sftp_server.port,
            "user": USER,
            "private_key_pem": pem_of(client_key),
            "known_hosts": sftp_server.known_hosts(),
            "verify": "true",
            "uploads": {"k.txt": "by key"},
        },
    )

    assert (sftp_server.home / "k.txt").read_bytes() == b"by key"
    assert run.result["log"].splitlines()[1:3] == [
        f"host key: ecdsa-sha2-nistp256 {sftp_server.host_key.fingerprint} (matches known_hosts)",
        "login: ******** (publickey)",
    ]
    assert sftp_server.auth_methods == ["publickey ok"]


def test_sftp_accepts_an_openssh_ed25519_key(perform, tmp_path):
    raw = ed25519.Ed25519PrivateKey.generate()
    pem = raw.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, serialization.NoEncryption()
    ).decode()
    key = paramiko.Ed25519Key.from_private_key(io.StringIO(pem))
    home = tmp_path / "ed-home"
    home.mkdir()
    server = LocalSFTP(home, key)
    try:
        run = perform(
            "ftp",
            {
                "host": "127.0.0.1",
                "port": server.port,
                "user": USER,
                "private_key": pem,
                "uploads": {"e.txt": "ed"},
            },
        )
    finally:
        server.close()

    assert (run.ok, (home / "e.txt").read_bytes()) == (True, b"ed")


def test_sftp_refuses_a_host_key_that_does_not_match(perform, sftp_server):
    other = paramiko.ECDSAKey.generate()

    run = perform(
        "ftp",
        {
            "protocol": "sftp",
            "host": "127.0.0.1",
            "port": sftp_server.port,
            "user": USER,
            "password": PASSWORD,
            "known_hosts": sftp_server.known_hosts(other),
            "verify": True,
            "uploads": {"x.txt": "x"},
        },
    )

    assert_failed(run, "host key verification failed: the key of 127.0.0.1 does not match known_hosts")
    assert not (sftp_server.home / "x.txt").exists()


def test_sftp_refuses_a_host_missing_from_known_hosts(perform, sftp_server):
    run = perform(
        "ftp",
        {
            "protocol": "sftp",
            "host": "127.0.0.1",
            "port": sftp_server.port,
            "user": USER,
            "password": PASSWORD,
            "known_hosts": "[other.example]:22 " + " ".join(sftp_server.known_hosts().split()[1:]) + "\n",
            "verify": True,
            "uploads": {"x.txt": "x"},
        },
    )

    assert_failed(run, "host key verification failed: 127.0.0.1 is not in known_hosts")


def test_sftp_wrong_password_and_missing_file(perform, sftp_server):
    base = {"protocol": "sftp", "host": "127.0.0.1", "port": sftp_server.port, "user": USER}

    wrong = perform("ftp", {**base, "password": "nope", "uploads": {"x": "x"}})
    missing = perform("ftp", {**base, "password": PASSWORD, "downloads": ["nope.csv"]})

    assert_failed(wrong, "login failed: Authentication failed.")
    assert_failed(missing, "download 'nope.csv': No such file")


def test_sftp_secret_key_and_password_are_never_stored(perform, sftp_server, client_key, secret_reference):
    pem = pem_of(client_key)
    key_reference = secret_reference("sftp_key", pem)
    host_reference = secret_reference("sftp_host", "127.0.0.1")
    options = {
        "protocol": "sftp",
        "host": host_reference,
        "port": sftp_server.port,
        "user": USER,
        "private_key_pem": key_reference,
        "uploads": {"k.txt": "ok"},
    }

    run = perform("ftp", options)

    assert (run.ok, (sftp_server.home / "k.txt").read_bytes()) == (True, b"ok")
    assert run.options == options
    assert run.result["log"].startswith(f"connect: ********, {sftp_server.port}\n")  # masked like credentials
    stored = stored_row_json(run)
    assert pem.splitlines()[1] not in stored and "127.0.0.1" not in stored


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"user": "u", "uploads": {"a": "a"}}, 'option "host": is required'),
        ({"host": " ", "user": "u", "uploads": {"a": "a"}}, 'option "host": must not be blank'),
        ({"host": "h.example", "uploads": {"a": "a"}}, 'option "user": is required'),
        ({"host": "h.example", "user": "u"}, 'options must include "uploads" or "downloads"'),
        (
            {"host": "h.example", "user": "u", "protocol": "scp", "uploads": {"a": "a"}},
            "option \"protocol\": 'scp' is not one of ftp, ftps, sftp",
        ),
        (
            {"host": "h.example", "user": "u", "port": "x", "uploads": {"a": "a"}},
            'option "port": must be an integer, got "x"',
        ),
        (
            {"host": "h.example", "user": "u", "port": 70000, "uploads": {"a": "a"}},
            'option "port": must be between 1 and 65535, got 70000',
        ),
        (
            {"host": "h.example", "user": "u", "mode": "text", "uploads": {"a": "a"}},
            "option \"mode\": 'text' is not one of binary, ascii",
        ),
        (
            {"host": "h.example", "user": "u", "downloads": "a.txt"},
            'option "downloads": must be an array of paths, got string',
        ),
        (
            {"host": "h.example", "user": "u", "downloads": ["ok", ""]},
            'option "downloads": must contain only non-blank path strings',
        ),
        (
            {"host": "h.example", "user": "u", "uploads": {"a": {"zip": {}}}},
            'option "uploads": file "a": the zip generator needs "files", an object of name → file generator',
        ),
        (
            {"host": "h.example", "user": "u", "port": 22, "uploads": {"a": "a"}},
            'option "password": SFTP needs a password or private_key_pem',
        ),
        (
            {
                "host": "h.example",
                "user": "u",
                "private_key_pem": "-----BEGIN NONSENSE-----",
                "uploads": {"a": "a"},
            },
            'option "private_key_pem": is not a readable OpenSSH, RSA, ECDSA or Ed25519 private key',
        ),
        (
            {"host": "h.example", "user": "u", "verify": "maybe", "uploads": {"a": "a"}},
            'option "verify": must be true or false, got "maybe"',
        ),
    ],
)
def test_invalid_options_fail_before_connecting(perform, options, error):
    run = perform("ftp", options)

    assert_failed(run, error)
