"""The ``pdf`` generator: HTML rendered to PDF with WeasyPrint (spec/actions.md §16.3).

Mechanic renders with Pdfcrowd; Hub maps the page options Pdfcrowd tasks use to
CSS ``@page`` rules and ignores the others. WeasyPrint runs no JavaScript.
Remote stylesheets, fonts and images are fetched through the outbound address
guard with a 10 s timeout each; a resource that fails is left out. Local files
(``file:`` URLs) are never read.
"""

import logging
import re
from typing import Any

from tasks_app.files.errors import FileGeneratorError

logger = logging.getLogger("tasks_app.files")

RESOURCE_TIMEOUT_S = 10
MAX_RESOURCE_BYTES = 20 * 1024 * 1024
LENGTH_RE = re.compile(r"(\d+(?:\.\d+)?)\s*(in|mm|cm|pt|px|pc)?", re.IGNORECASE)
PAGE_SIZE_RE = re.compile(r"[A-Za-z][A-Za-z0-9-]*")
BODY_OPEN_RE = re.compile(r"<body\b[^>]*>", re.IGNORECASE)
HEAD_CLOSE_RE = re.compile(r"</head\s*>", re.IGNORECASE)
LENGTH_OPTIONS = ("page_width", "page_height", "margin_top", "margin_right", "margin_bottom", "margin_left")
TEXT_OPTIONS = ("header_html", "footer_html")
# Running header and footer: Pdfcrowd's page-number classes become CSS page counters.
RUNNING_CSS = """
.hub-pdf-header { position: running(hub-pdf-header); }
.hub-pdf-footer { position: running(hub-pdf-footer); }
.pdfcrowd-page-number::before { content: counter(page); }
.pdfcrowd-page-count::before { content: counter(pages); }
"""


def _length(value: Any, option: str, path: tuple[str, ...]) -> str:
    """A CSS length from a Pdfcrowd length (``"10mm"``, ``"7in"``, ``"72"`` = points)."""
    text = str(value).strip() if isinstance(value, str | int | float) and not isinstance(value, bool) else ""
    match = LENGTH_RE.fullmatch(text)
    if not match:
        raise FileGeneratorError(path, f'pdf option "{option}" must be a length such as "10mm" or "7in"')
    return f"{match[1]}{(match[2] or 'pt').lower()}"


def validate(options: Any, path: tuple[str, ...]) -> None:
    """``html`` is a required string; the page options Hub maps must be well-formed."""
    if not isinstance(options, dict):
        raise FileGeneratorError(path, 'the pdf generator takes an object with "html"')
    if not isinstance(options.get("html"), str):
        raise FileGeneratorError(path, 'the pdf generator needs "html", a string')
    page_css(options, path)


def page_css(options: dict, path: tuple[str, ...]) -> str:
    """The ``@page`` rules for the Pdfcrowd page options present in ``options``."""
    declarations = []
    size = _page_size(options, path)
    if size:
        declarations.append(f"size: {' '.join(size)};")
    for option in LENGTH_OPTIONS[2:]:
        if options.get(option) is not None:
            side = option.removeprefix("margin_")
            declarations.append(f"margin-{side}: {_length(options[option], option, path)};")
    for option in TEXT_OPTIONS:
        if options.get(option) is not None and not isinstance(options[option], str):
            raise FileGeneratorError(path, f'pdf option "{option}" must be an HTML string')
    if options.get("header_html") is not None:
        declarations.append("@top-center { content: element(hub-pdf-header); width: 100%; }")
    if options.get("footer_html") is not None:
        declarations.append("@bottom-center { content: element(hub-pdf-footer); width: 100%; }")
    return f"@page {{ {' '.join(declarations)} }}" if declarations else ""


def _page_size(options: dict, path: tuple[str, ...]) -> list[str]:
    """The words of the CSS ``size`` for ``page_size``, ``page_width``/``page_height`` and
    ``orientation``; [] when none is given."""
    size = []
    if options.get("page_size") is not None:
        page_size = options["page_size"]
        if not isinstance(page_size, str) or not PAGE_SIZE_RE.fullmatch(page_size.strip()):
            raise FileGeneratorError(
                path, 'pdf option "page_size" must be a size name such as "A4" or "Letter"'
            )
        size.append(page_size.strip())
    if options.get("page_width") is not None or options.get("page_height") is not None:
        width = _length(options.get("page_width", "210mm"), "page_width", path)
        height = _length(options.get("page_height", "297mm"), "page_height", path)
        size = [width, height]
    orientation = options.get("orientation")
    if orientation is not None:
        if not isinstance(orientation, str) or orientation.strip().lower() not in ("portrait", "landscape"):
            raise FileGeneratorError(path, 'pdf option "orientation" must be "portrait" or "landscape"')
        if len(size) != 2:  # an explicit width and height already fix the orientation
            size = [*(size or ["A4"]), orientation.strip().lower()]
    return size


def with_running_elements(source: str, options: dict) -> str:
    """``source`` with the header/footer HTML inserted at the start of the body."""
    running = "".join(
        f'<div class="hub-pdf-{part}">{options[f"{part}_html"]}</div>'
        for part in ("header", "footer")
        if options.get(f"{part}_html") is not None
    )
    if not running:
        return source
    if match := BODY_OPEN_RE.search(source):
        return source[: match.end()] + running + source[match.end() :]
    if match := HEAD_CLOSE_RE.search(source):
        return source[: match.end()] + running + source[match.end() :]
    return running + source


def url_fetcher():
    """A WeasyPrint URL fetcher that reads ``data:`` URLs and http(s) through the guard only."""
    import requests
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    from tasks_app import netguard

    class GuardedFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            scheme = url.split(":", 1)[0].lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme not in ("http", "https"):
                raise ValueError(f"{scheme}: URLs are not fetched")
            with netguard.guarded_session() as session:
                try:
                    response = session.get(url, timeout=RESOURCE_TIMEOUT_S, stream=True)
                    with response:
                        response.raise_for_status()
                        data = response.raw.read(MAX_RESOURCE_BYTES + 1, decode_content=True)
                except (requests.RequestException, netguard.AddressRefused) as exc:
                    logger.info("PDF resource %s left out: %s", url, exc)
                    raise ValueError(f"{url} could not be fetched") from None
            if len(data) > MAX_RESOURCE_BYTES:
                raise ValueError(f"{url} is larger than 20 MB")
            return URLFetcherResponse(response.url, data, dict(response.headers), response.status_code)

    return GuardedFetcher(timeout=RESOURCE_TIMEOUT_S, allowed_protocols=("data", "http", "https"))


def render(options: dict, path: tuple[str, ...]) -> bytes:
    """The PDF bytes for the generator's options; a renderer crash is a ``FileGeneratorError``."""
    from weasyprint import CSS, HTML

    fetcher = url_fetcher()
    stylesheets = [CSS(string=RUNNING_CSS, url_fetcher=fetcher)]
    page_rules = page_css(options, path)
    if page_rules:
        stylesheets.append(CSS(string=page_rules, url_fetcher=fetcher))
    source = with_running_elements(options["html"], options)
    try:
        return HTML(string=source, url_fetcher=fetcher).write_pdf(stylesheets=stylesheets)
    except Exception as exc:  # noqa: BLE001  (WeasyPrint raises assorted errors on pathological input)
        logger.warning("PDF rendering failed for %s: %s", path, exc)
        raise FileGeneratorError(path, f"the PDF renderer failed: {type(exc).__name__}: {exc}") from None


def generate(name: str, options: dict, *, shop: Any, path: tuple[str, ...]):
    """The rendered PDF (``application/pdf``)."""
    from tasks_app.files import GeneratedFile

    return GeneratedFile(name, render(options, path), "application/pdf")
