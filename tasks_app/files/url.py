"""The ``url`` generator: a file downloaded from an http(s) URL (spec/actions.md §16.5).

Downloads go through the outbound address guard (``tasks_app.netguard``), follow
redirects (each hop checked) and stop at 20 MB. 4xx responses and refused
addresses are permanent errors; 5xx responses and network failures transient.
"""

from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings

from hub.net import describe_failure
from tasks_app import netguard
from tasks_app.files.errors import MAX_FILE_BYTES, FileFetchError, FileGeneratorError
from tasks_app.files.plaintext import guess_mime_type

MAX_REDIRECTS = 10


def validate(options: Any, path: tuple[str, ...]) -> None:
    """The options are one http:// or https:// URL with a host."""
    if not isinstance(options, str):
        raise FileGeneratorError(path, "the url generator takes an http:// or https:// URL string")
    parts = urlsplit(options.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise FileGeneratorError(path, f"the url generator needs an http:// or https:// URL, got {options!r}")


def download(url: str, path: tuple[str, ...], *, limit: int = MAX_FILE_BYTES) -> tuple[bytes, str | None]:
    """GET ``url`` through the guard; returns ``(body, Content-Type header or None)``.

    Raises ``FileGeneratorError`` for refused addresses, TLS failures, 4xx
    responses, redirect loops and bodies over ``limit`` bytes, and
    ``FileFetchError`` for network failures, timeouts and 5xx responses.
    """
    timeout = (settings.HUB_HTTP_CONNECT_TIMEOUT_S, settings.HUB_HTTP_READ_TIMEOUT_S)
    where = f"GET {url}"
    with netguard.guarded_session() as session:
        session.max_redirects = MAX_REDIRECTS
        try:
            with session.get(url, timeout=timeout, stream=True, allow_redirects=True) as response:
                if 400 <= response.status_code < 500:
                    raise FileGeneratorError(path, f"{where}: HTTP {response.status_code} response")
                if response.status_code >= 500:
                    raise FileFetchError(path, f"{where}: HTTP {response.status_code} response")
                declared = response.headers.get("Content-Length", "")
                if declared.isdigit() and int(declared) > limit:
                    raise FileGeneratorError(path, f"{where}: the file is larger than {limit} bytes (20 MB)")
                chunks, size = [], 0
                for chunk in response.iter_content(chunk_size=65536):
                    size += len(chunk)
                    if size > limit:
                        raise FileGeneratorError(
                            path, f"{where}: the file is larger than {limit} bytes (20 MB)"
                        )
                    chunks.append(chunk)
                return b"".join(chunks), response.headers.get("Content-Type")
        except netguard.AddressRefused as exc:
            raise FileGeneratorError(path, f"{where}: {exc}") from None
        except requests.exceptions.SSLError as exc:
            raise FileGeneratorError(path, f"{where}: TLS failed: {describe_failure(exc)}") from None
        except requests.exceptions.TooManyRedirects:
            raise FileGeneratorError(path, f"{where}: more than {MAX_REDIRECTS} redirects") from None
        except requests.exceptions.InvalidURL as exc:
            raise FileGeneratorError(path, f"{where}: {describe_failure(exc)}") from None
        except requests.RequestException as exc:
            raise FileFetchError(path, f"{where}: download failed: {describe_failure(exc)}") from None


def generate(name: str, options: str, *, shop: Any, path: tuple[str, ...]):
    """The downloaded bytes, typed by the response's media type (else guessed from the name)."""
    from tasks_app.files import GeneratedFile

    data, content_type = download(options.strip(), path)
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return GeneratedFile(name, data, media or guess_mime_type(name, "application/octet-stream"))
