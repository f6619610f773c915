"""The company brief as a PDF, rendered from the brief's own HTML by WeasyPrint.

WeasyPrint would fetch every URL the page names (stylesheets, images): it is given a
fetcher that serves this project's static files from disk and refuses everything
else, so rendering a brief never touches the network (anything fetched goes through
``intel/fetch.py``; a brief needs nothing fetched).
"""

from __future__ import annotations

import mimetypes
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage


class NotServed(ValueError):
    """A URL the brief's renderer does not fetch."""


def _static_only(url: str) -> Any:
    """WeasyPrint's URL fetcher: this project's static files, read from disk; nothing else."""
    from weasyprint.urls import URLFetcherResponse

    path = urlsplit(url).path
    prefix = "/" + settings.STATIC_URL.lstrip("/")
    if urlsplit(url).scheme not in ("http", "https") or not path.startswith(prefix) or ".." in path.split("/"):
        raise NotServed(f"not a static file: {url}")
    name = path[len(prefix) :]
    found = finders.find(name)
    if not found and staticfiles_storage.exists(name):  # collected (hashed) names in production
        found = staticfiles_storage.path(name)
    if not found:
        raise NotServed(f"no such static file: {url}")
    with open(found, "rb") as handle:
        body = handle.read()
    mime = mimetypes.guess_type(found)[0] or "application/octet-stream"
    return URLFetcherResponse(url, body=body, headers={"Content-Type": mime})


class PdfUnavailable(RuntimeError):
    """WeasyPrint cannot load here: its system library (Pango) is missing."""


def html_to_pdf(html: str, *, base_url: str) -> bytes:
    """The PDF of ``html`` (the brief page), printed with its print styles."""
    try:
        # Imported here: web processes that never print a brief skip loading it.
        from weasyprint import HTML
    except OSError as exc:
        raise PdfUnavailable(
            "PDF briefs need the Pango library (Debian: apt-get install libpango-1.0-0); use Print instead."
        ) from exc

    return HTML(string=html, base_url=base_url, url_fetcher=_static_only).write_pdf()
