"""The ``ftp`` action: upload and download files over FTP, FTPS or SFTP (spec/actions.md §4).

FTP and FTPS use ``ftplib`` (passive mode; FTPS protects the data channel and
reuses the control channel's TLS session, which many servers require; port
990 means implicit TLS). SFTP uses ``paramiko``. Secret references in the
connection fields are resolved by the base class (§0.4); paths and contents
keep them. Connections go through the outbound address guard like HTTP.

The result carries a transcript of the session with the user name and
password masked, every upload's size and every download's content.
"""

import base64
import contextlib
import ftplib
import io
import os
import re
import socket
import ssl
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict, TypeVar, cast

from django.conf import settings

from tasks_app import files as file_generators
from tasks_app import netguard
from tasks_app.actions.base import (
    Action,
    ActionContext,
    OptionError,
    PermanentActionError,
    TransientActionError,
    bool_option,
    describe,
    register,
    require_object,
    string_option,
    to_int,
)
from tasks_app.files import GeneratedFile

if TYPE_CHECKING:
    import paramiko

    # The session mixin is only ever mixed into ftplib.FTP; it calls FTP's methods.
    _FTP = ftplib.FTP
else:
    _FTP = object

PROTOCOLS = ("ftp", "ftps", "sftp")
MODES = ("binary", "ascii")
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
ATTEMPTS = 3
MASK = "********"
IMPLICIT_FTPS_PORT = 990

T = TypeVar("T")


@dataclass(frozen=True)
class FtpOptions:
    """Validated ``ftp`` options (spec/actions.md §4).

    ``protocol``: ``ftp``, ``ftps`` or ``sftp``; ``port`` defaulted (21, or 22 for SFTP);
    ``uploads``: path → file generator; ``downloads``: remote paths; ``mode``: ``binary`` or
    ``ascii``; ``private_key``: the loaded SSH key (SFTP only), else None.
    """

    protocol: str
    host: str
    port: int
    user: str
    password: str | None = None
    uploads: dict = field(default_factory=dict)
    downloads: list[str] = field(default_factory=list)
    mode: str = "binary"
    verify: bool = False
    private_key: Any = None
    known_hosts: str | None = None


class DownloadTooLarge(Exception):
    """The downloads of one action passed 20 MB in total."""


class Transcript:
    """The session log: ``connect: host, port``, ``> COMMAND``, ``< reply`` lines, credentials masked."""

    def __init__(self, *secrets_: str | None) -> None:
        # Short values would mask unrelated text ("a" everywhere), and they are not worth hiding.
        self.secrets = sorted(
            {value for value in secrets_ if value and len(value) >= 3}, key=len, reverse=True
        )
        self.lines: list[str] = []

    def mask(self, text: str) -> str:
        for value in self.secrets:
            text = text.replace(value, MASK)
        return text

    def add(self, line: str) -> None:
        self.lines.append(self.mask(line))

    def text(self) -> str:
        return "".join(f"{line}\n" for line in self.lines)


def load_private_key(pem: str, passphrase: str | None) -> "paramiko.PKey | None":
    """A paramiko key from PEM text (OpenSSH, PKCS#1/PKCS#8 RSA, ECDSA, Ed25519); None if unreadable.

    ``passphrase`` (the ``password`` option) opens an encrypted key.
    """
    import paramiko

    for key_class in (paramiko.Ed25519Key, paramiko.ECDSAKey, paramiko.RSAKey):
        try:
            return key_class.from_private_key(io.StringIO(pem.strip() + "\n"), password=passphrase)
        except (paramiko.SSHException, ValueError, TypeError, IndexError):
            continue
    return None


def clean_downloads(options: dict) -> list[str]:
    """``downloads``: an array of non-blank path strings."""
    value = options.get("downloads")
    if value is None:
        return []
    if not isinstance(value, list):
        raise OptionError("downloads", f"must be an array of paths, got {describe(value)}")
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise OptionError("downloads", "must contain only non-blank path strings")
        if any(char in item for char in "\r\n\0"):
            raise OptionError("downloads", f"{item!r} contains a line break")
    return value


def clean_uploads(options: dict) -> dict:
    """``uploads``: path → file generator; only the shape is checked here."""
    value = options.get("uploads")
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise OptionError("uploads", f"must be an object of path → file generator, got {describe(value)}")
    for path in value:
        if any(char in path for char in "\r\n\0"):
            raise OptionError("uploads", f"{path!r} contains a line break")
    try:
        file_generators.validate_file_map(value)
    except file_generators.FileGeneratorError as exc:
        raise OptionError("uploads", exc.args[0]) from None
    return value


# ``operation`` is called without arguments; ``Callable[...]`` because mypy cannot infer the callers'
# lambdas (``lambda path=path: ...``, defaults binding the loop variables) against ``Callable[[], T]``.
def with_attempts(what: str, operation: Callable[..., T], retryable: Callable[[Exception], bool]) -> T:
    """Run one transfer up to three times within the session (spec/actions.md §4 step 3).

    Errors for which ``retryable`` is true are retried, and after the third
    failure the action fails transiently. Other errors (a refused transfer: a
    missing file, no permission) propagate at once: repeating cannot help.
    """
    last: Exception | None = None
    for _attempt in range(ATTEMPTS):
        try:
            return operation()
        except Exception as exc:
            if not retryable(exc):
                raise
            last = exc
    raise TransientActionError(f"{what} failed {ATTEMPTS} times: {reason(last)}")


def ftp_retryable(exc: Exception) -> bool:
    """FTP: 4xx replies, unexpected replies and connection trouble; not 5xx refusals."""
    return isinstance(exc, ftplib.error_temp | ftplib.error_reply | OSError | EOFError)


def sftp_retryable(exc: Exception) -> bool:
    """SFTP: transport and server failures; not missing files or missing permissions."""
    import paramiko

    if isinstance(exc, FileNotFoundError | PermissionError | IsADirectoryError):
        return False
    return isinstance(exc, OSError | EOFError | paramiko.SSHException)


def reason(exc: BaseException | None) -> str:
    """A short text for an exception: its ``strerror``, its message, or its class name."""
    if exc is None:
        return "unknown error"
    return getattr(exc, "strerror", None) or str(exc).strip() or type(exc).__name__


class DownloadResult(TypedDict):
    """One download in the result: its size and content, as text and as base64."""

    size: int
    data: str
    data_base64: str


def result_downloads(downloads: dict[str, bytes]) -> dict[str, DownloadResult]:
    """Each download as ``{"size", "data" (UTF-8, invalid bytes replaced), "data_base64"}``."""
    return {
        path: {
            "size": len(data),
            "data": data.decode("utf-8", errors="replace"),
            "data_base64": base64.b64encode(data).decode("ascii"),
        }
        for path, data in downloads.items()
    }


# --- FTP and FTPS ---------------------------------------------------------------------------------------


class _SessionMixin(_FTP):
    """ftplib session that connects through the guard and records a transcript."""

    transcript: Transcript
    implicit_tls: bool = False

    def open(self, host: str, port: int, timeout: float) -> str:
        """Connect to ``host:port`` (a checked address) and read the welcome reply."""
        self.host, self.port, self.timeout = host, port, timeout
        self.transcript.add(f"connect: {host}, {port}")
        sock = netguard.connect(host, port, timeout)
        if self.implicit_tls:  # set on FTPS sessions only
            sock = cast(ftplib.FTP_TLS, self).context.wrap_socket(sock, server_hostname=host)
        self.sock = sock
        self.af = sock.family
        self.file = sock.makefile("r", encoding=self.encoding)
        self.welcome = self.getresp()
        return self.welcome

    def putcmd(self, line: str) -> None:
        command = line.split(" ", 1)[0].upper()
        shown = f"{command} {MASK}" if command in ("USER", "PASS") else line
        self.transcript.add(f"> {shown}")
        super().putcmd(line)

    def getmultiline(self) -> str:
        reply = super().getmultiline()
        self.transcript.add(f"< {reply}")
        return reply

    def store(self, path: str, data: bytes, ascii_mode: bool) -> None:
        """``STOR path`` with ``data`` (line ends sent as CRLF in ASCII mode)."""
        self.voidcmd("TYPE A" if ascii_mode else "TYPE I")
        if ascii_mode:
            data = re.sub(rb"\r?\n", b"\r\n", data)
        with self.transfercmd(f"STOR {path}") as conn:
            conn.sendall(data)
            if isinstance(conn, ssl.SSLSocket):
                conn.unwrap()
        self.voidresp()

    def retrieve(self, path: str, ascii_mode: bool, budget: int) -> bytes:
        """``RETR path``; raises ``DownloadTooLarge`` past ``budget`` bytes."""
        self.voidcmd("TYPE A" if ascii_mode else "TYPE I")
        chunks, size = [], 0
        with self.transfercmd(f"RETR {path}") as conn:
            while chunk := conn.recv(65536):
                size += len(chunk)
                if size > budget:
                    raise DownloadTooLarge
                chunks.append(chunk)
            if isinstance(conn, ssl.SSLSocket):
                conn.unwrap()
        self.voidresp()
        data = b"".join(chunks)
        return data.replace(b"\r\n", b"\n") if ascii_mode else data


class TranscriptFTP(_SessionMixin, ftplib.FTP):
    """A plain FTP session through the guard, with a transcript."""


class TranscriptFTPS(_SessionMixin, ftplib.FTP_TLS):
    """An FTPS session through the guard, with a transcript; data channels reuse the TLS session."""

    # ftplib.FTP_TLS's own flag for a protected data channel (set by prot_p()).
    _prot_p: bool

    def ntransfercmd(self, cmd: str, rest: int | str | None = None) -> tuple[socket.socket, int | None]:
        # Reuse the control channel's TLS session on the data channel, as vsftpd and others demand.
        conn, size = ftplib.FTP.ntransfercmd(self, cmd, rest)  # noqa: S321  (FTP(S) is a Mechanic action)
        if self._prot_p:
            control = cast(ssl.SSLSocket, self.sock)  # logged in over TLS, so the control socket is wrapped
            conn = self.context.wrap_socket(conn, server_hostname=self.host, session=control.session)
        return conn, size


def tls_context(verify: bool) -> ssl.SSLContext:
    """The client TLS context for FTPS: verifying by default, or accepting any certificate."""
    context = ssl.create_default_context()
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def ftp_reply_error(what: str, exc: ftplib.Error) -> PermanentActionError:
    """A permanent error quoting the server's reply (``550 No such file``)."""
    return PermanentActionError(f"{what}: {str(exc).strip()}")


def run_ftp(opts: FtpOptions, uploads: list[GeneratedFile], transcript: Transcript) -> dict[str, bytes]:
    """One FTP/FTPS session: connect, log in, upload, download. Returns the result's data."""
    timeout = settings.HUB_FTP_TIMEOUT_S
    session: _SessionMixin
    if opts.protocol == "ftps":
        session = TranscriptFTPS(context=tls_context(opts.verify), timeout=timeout)
        session.implicit_tls = opts.port == IMPLICIT_FTPS_PORT
    else:
        session = TranscriptFTP(timeout=timeout)
    session.transcript = transcript
    try:
        _ftp_open(session, opts, timeout)
        _ftp_login(session, opts)
        downloads = _ftp_transfer(session, opts, uploads)
        with contextlib.suppress(OSError, EOFError, ftplib.Error):
            session.quit()
    finally:
        session.close()
    return downloads


def _ftp_open(session: TranscriptFTP | TranscriptFTPS, opts: FtpOptions, timeout: float) -> None:
    try:
        session.open(opts.host, opts.port, timeout)
    except netguard.AddressRefused as exc:
        raise PermanentActionError(f"{opts.host}: {exc}") from None
    except ssl.SSLCertVerificationError as exc:
        raise PermanentActionError(f"{opts.host}, {opts.port}: TLS failed: {exc.verify_message}") from None
    except (OSError, EOFError, ftplib.Error) as exc:
        raise TransientActionError(f"could not connect to {opts.host}, {opts.port}: {reason(exc)}") from None


def _ftp_login(session: TranscriptFTP | TranscriptFTPS, opts: FtpOptions) -> None:
    try:
        session.login(opts.user, opts.password or "")
        if isinstance(session, ftplib.FTP_TLS):
            session.prot_p()
    except ssl.SSLCertVerificationError as exc:
        raise PermanentActionError(f"{opts.host}, {opts.port}: TLS failed: {exc.verify_message}") from None
    except ftplib.error_perm as exc:
        raise ftp_reply_error("login failed", exc) from None
    except (OSError, EOFError, ftplib.Error) as exc:
        raise TransientActionError(f"login to {opts.host}, {opts.port} failed: {reason(exc)}") from None


def _ftp_transfer(
    session: TranscriptFTP | TranscriptFTPS, opts: FtpOptions, uploads: list
) -> dict[str, bytes]:
    """Store the uploads, then retrieve the downloads (at most ``MAX_DOWNLOAD_BYTES`` in all)."""
    ascii_mode = opts.mode == "ascii"
    for generated in uploads:
        try:
            with_attempts(
                f"upload {generated.name!r}",
                lambda generated=generated: session.store(generated.name, generated.content, ascii_mode),
                ftp_retryable,
            )
        except ftplib.error_perm as exc:
            raise ftp_reply_error(f"upload {generated.name!r}", exc) from None
    downloads: dict[str, bytes] = {}
    budget = MAX_DOWNLOAD_BYTES
    for path in opts.downloads:
        try:
            data = with_attempts(
                f"download {path!r}",
                lambda path=path, budget=budget: session.retrieve(path, ascii_mode, budget),
                ftp_retryable,
            )
        except ftplib.error_perm as exc:
            raise ftp_reply_error(f"download {path!r}", exc) from None
        except DownloadTooLarge:
            raise downloads_too_large() from None
        downloads[path] = data
        budget -= len(data)
    return downloads


def downloads_too_large() -> PermanentActionError:
    """The error for downloads over ``MAX_DOWNLOAD_BYTES`` in total."""
    return PermanentActionError(f"the downloads are larger than {MAX_DOWNLOAD_BYTES} bytes (20 MB) in total")


# --- SFTP -----------------------------------------------------------------------------------------------


def host_keys_from(known_hosts: str) -> "paramiko.HostKeys":
    """A paramiko ``HostKeys`` parsed from known_hosts text (hashed names included)."""
    import paramiko

    keys = paramiko.HostKeys()
    with tempfile.NamedTemporaryFile("w", suffix=".known_hosts", delete=False) as handle:
        handle.write(known_hosts)
    try:
        keys.load(handle.name)
    finally:
        os.unlink(handle.name)
    return keys


def run_sftp(opts: FtpOptions, uploads: list[GeneratedFile], transcript: Transcript) -> dict[str, bytes]:
    """One SFTP session with paramiko: connect, check the host key, authenticate, put, get."""
    import paramiko

    timeout = settings.HUB_FTP_TIMEOUT_S
    transcript.add(f"connect: {opts.host}, {opts.port}")
    try:
        sock = netguard.connect(opts.host, opts.port, timeout)
    except netguard.AddressRefused as exc:
        raise PermanentActionError(f"{opts.host}: {exc}") from None
    except OSError as exc:
        raise TransientActionError(f"could not connect to {opts.host}, {opts.port}: {reason(exc)}") from None
    client = paramiko.SSHClient()
    known_hosts = opts.known_hosts if opts.verify else None
    checking = bool(known_hosts)
    if known_hosts:
        for hostname, entries in host_keys_from(known_hosts).items():
            for key_type, key in entries.items():
                client.get_host_keys().add(hostname, key_type, key)
        client.set_missing_host_key_policy(paramiko.RejectPolicy())
    else:
        client.set_missing_host_key_policy(paramiko.AutoAddPolicy())  # noqa: S507  (unchecked, spec/actions.md §4)
    methods = [name for name, used in (("publickey", opts.private_key), ("password", opts.password)) if used]
    try:
        _ssh_connect(client, opts, sock, timeout)
        transport = cast(paramiko.Transport, client.get_transport())  # connected, so there is one
        server_key = transport.get_remote_server_key()
        transcript.add(
            f"host key: {server_key.get_name()} {server_key.fingerprint}"
            f" ({'matches known_hosts' if checking else 'not checked'})"
        )
        transcript.add(f"login: {MASK} ({', '.join(methods) or 'none'})")
        try:
            sftp = client.open_sftp()
        except (paramiko.SSHException, OSError, EOFError) as exc:
            raise TransientActionError(f"SFTP on {opts.host}, {opts.port} failed: {reason(exc)}") from None
        cast(paramiko.Channel, sftp.get_channel()).settimeout(timeout)  # an open session has its channel
        downloads = _sftp_transfer(sftp, opts, uploads, transcript)
        sftp.close()
        transcript.add("disconnect")
    finally:
        client.close()
    return downloads


def _ssh_connect(client: "paramiko.SSHClient", opts: FtpOptions, sock: socket.socket, timeout: float) -> None:
    """Open the SSH session on ``sock`` and authenticate, mapping paramiko's errors."""
    import paramiko

    try:
        client.connect(
            hostname=opts.host,
            port=opts.port,
            username=opts.user,
            password=opts.password,
            pkey=opts.private_key,
            sock=sock,
            timeout=timeout,
            banner_timeout=timeout,
            auth_timeout=timeout,
            look_for_keys=False,
            allow_agent=False,
        )
    except paramiko.BadHostKeyException:
        raise PermanentActionError(
            f"host key verification failed: the key of {opts.host} does not match known_hosts"
        ) from None
    except paramiko.AuthenticationException as exc:
        raise PermanentActionError(f"login failed: {reason(exc)}") from None
    except paramiko.SSHException as exc:
        if "known_hosts" in str(exc):
            raise PermanentActionError(
                f"host key verification failed: {opts.host} is not in known_hosts"
            ) from None
        raise TransientActionError(
            f"SSH connection to {opts.host}, {opts.port} failed: {reason(exc)}"
        ) from None
    except (OSError, EOFError) as exc:
        raise TransientActionError(
            f"SSH connection to {opts.host}, {opts.port} failed: {reason(exc)}"
        ) from None


def _sftp_transfer(
    sftp: "paramiko.SFTPClient", opts: FtpOptions, uploads: list[GeneratedFile], transcript: Transcript
) -> dict[str, bytes]:
    """Put the uploads, then get the downloads (at most ``MAX_DOWNLOAD_BYTES`` in all)."""
    permanent = (FileNotFoundError, PermissionError, IsADirectoryError)
    for generated in uploads:
        try:
            with_attempts(
                f"upload {generated.name!r}",
                lambda generated=generated: sftp.putfo(io.BytesIO(generated.content), generated.name),
                sftp_retryable,
            )
        except permanent as exc:
            raise PermanentActionError(f"upload {generated.name!r}: {reason(exc)}") from None
        transcript.add(f"put {generated.name}: {generated.size} bytes")
    downloads: dict[str, bytes] = {}
    budget = MAX_DOWNLOAD_BYTES
    for path in opts.downloads:
        try:
            data = with_attempts(
                f"download {path!r}",
                lambda path=path, budget=budget: sftp_read(sftp, path, budget),
                sftp_retryable,
            )
        except permanent as exc:
            raise PermanentActionError(f"download {path!r}: {reason(exc)}") from None
        except DownloadTooLarge:
            raise downloads_too_large() from None
        transcript.add(f"get {path}: {len(data)} bytes")
        downloads[path] = data
        budget -= len(data)
    return downloads


def sftp_read(sftp: "paramiko.SFTPClient", path: str, budget: int) -> bytes:
    """The content of remote ``path``; raises ``DownloadTooLarge`` past ``budget`` bytes."""
    chunks, size = [], 0
    with sftp.open(path, "rb") as handle:
        handle.prefetch()
        while chunk := handle.read(65536):
            size += len(chunk)
            if size > budget:
                raise DownloadTooLarge
            chunks.append(chunk)
    return b"".join(chunks)


# --- the action -----------------------------------------------------------------------------------------


@register
class FtpAction(Action):
    """Uploads generated files, then downloads files, in one FTP, FTPS or SFTP session.

    Options: ``host`` and ``user`` (required), ``protocol`` (inferred: sftp
    for port 22 or SSH key options, else ftp), ``port`` (21, or 22 for sftp),
    ``password``, ``uploads`` (path → file generator), ``downloads`` (paths),
    ``mode`` (FTP ``ascii``/``binary``), ``verify`` (FTPS certificate check,
    default true; SFTP host key check against ``known_hosts``, default false),
    ``private_key_pem`` (alias ``private_key``), ``known_hosts``.

    Result: ``{"log", "uploads": {path: {"size"}}, "downloads": {path:
    {"size", "data", "data_base64"}}}``. Connection failures, timeouts and
    transfers failing three times are transient; refused addresses, TLS and
    host key failures, login failures, refused transfers (missing file,
    permission), the 20 MB download limit and validation are permanent.
    """

    type = "ftp"
    secret_fields = ("host", "user", "password", "private_key", "private_key_pem", "known_hosts")

    def validate(self, options: Any) -> FtpOptions:
        options = require_object(options)
        host = string_option(options, "host", require=True, blank=False).strip()
        user = string_option(options, "user", require=True)
        password = string_option(options, "password")
        pem = string_option(options, "private_key_pem") or string_option(options, "private_key")
        known_hosts = string_option(options, "known_hosts")
        protocol = string_option(options, "protocol")
        port = to_int(options["port"], "port") if options.get("port") is not None else None
        if port is not None and not 0 < port < 65536:
            raise OptionError("port", f"must be between 1 and 65535, got {port}")
        if protocol is not None:
            protocol = protocol.strip().lower()
            if protocol not in PROTOCOLS:
                raise OptionError("protocol", f"{options['protocol']!r} is not one of ftp, ftps, sftp")
        else:
            protocol = "sftp" if port == 22 or pem or known_hosts else "ftp"
        mode = (string_option(options, "mode") or "binary").strip().lower()
        if mode not in MODES:
            raise OptionError("mode", f"{options['mode']!r} is not one of binary, ascii")
        private_key = None
        if protocol == "sftp":
            if pem:
                private_key = load_private_key(pem, password)
                if private_key is None:
                    name = "private_key_pem" if options.get("private_key_pem") else "private_key"
                    raise OptionError(name, "is not a readable OpenSSH, RSA, ECDSA or Ed25519 private key")
            elif password is None:
                raise OptionError("password", "SFTP needs a password or private_key_pem")
        uploads = clean_uploads(options)
        downloads = clean_downloads(options)
        if not uploads and not downloads:
            raise PermanentActionError('options must include "uploads" or "downloads"')
        return FtpOptions(
            protocol=protocol,
            host=host,
            port=port or (22 if protocol == "sftp" else 21),
            user=user,
            password=password,
            uploads=uploads,
            downloads=downloads,
            mode=mode,
            verify=bool_option(options, "verify", protocol == "ftps"),
            private_key=private_key,
            known_hosts=known_hosts,
        )

    def perform(self, context: ActionContext) -> dict:
        opts: FtpOptions = context.options
        # Uploads are generated before connecting, so a generator error leaves the server untouched.
        uploads = file_generators.generate_files(opts.uploads, shop=context.shop)
        transcript = Transcript(opts.user, opts.password, *context.secret_values)
        runner = run_sftp if opts.protocol == "sftp" else run_ftp
        try:
            downloads = runner(opts, uploads, transcript)
        except (OSError, EOFError, ftplib.Error) as exc:  # trouble outside any single transfer
            raise TransientActionError(
                f"{opts.host}, {opts.port}: the session failed: {reason(exc)}"
            ) from None
        return {
            "log": transcript.text(),
            "uploads": {generated.name: {"size": generated.size} for generated in uploads},
            "downloads": result_downloads(downloads),
        }
