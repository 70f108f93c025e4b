"""Pages pingan writes for a browser load nothing from the internet.

Government offices often run on networks that reach nothing outside. ``localise`` rewrites each page
(HTML or CSS) of a folder of pages (the GX Data Docs, the dbt docs): every address of a library or
image it loads that ``base.web_assets`` knows becomes a relative address of a copy under the folder's
``vendor/`` (or of the file the pages already ship), so the folder works offline, and anywhere it is
copied to. Links a reader may click (documentation, a newsletter) are left as they are: nothing is
fetched unless they are followed. ``external_resources`` lists what a page would still fetch, for the
tests and for a warning when the libraries were not installed (``make`` installs them).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterable
from pathlib import Path

from base.files import write_text_replacing
from base.web_assets import WebAsset, asset_for, companions

VENDOR_FOLDER = "vendor"
_ADDRESS = re.compile(r"https?://[^\s\"'()<>]+")
_TAG = re.compile(r"<(?:script|link)\b[^>]*>", re.IGNORECASE)
_INTEGRITY = re.compile(
    r"""\s+(?:integrity|crossorigin)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?""", re.IGNORECASE
)
# Addresses a browser fetches on its own: script/img/link/iframe/source sources, CSS url() and @import.
_FETCHED = re.compile(
    r"""<(?:script|img|link|iframe|source|audio|video|embed)\b[^>]*?\b(?:src|href)\s*=\s*["']?((?:https?:)?//[^"'\s>]+)"""
    r"""|url\(\s*["']?((?:https?:)?//[^"')\s]+)"""
    r"""|@import\s+["']((?:https?:)?//[^"']+)""",
    re.IGNORECASE,
)


def _without_integrity(match: re.Match) -> str:
    """A <script> or <link> that now loads a local copy, without its ``integrity`` and ``crossorigin``:
    a page opened from the file system cannot check them (every file is an origin of its own), and the
    copy was checked against its pinned sha512 when it was installed."""
    tag = match.group(0)
    if _FETCHED.search(tag):  # still loads from outside: leave it as it was
        return tag
    return _INTEGRITY.sub("", tag)


def external_resources(text: str) -> list[str]:
    """The addresses outside the page's own folder that a browser would fetch to show it."""
    return sorted({next(g for g in match.groups() if g) for match in _FETCHED.finditer(text)})


def _placed(asset: WebAsset, folder: Path) -> Path | None:
    """Where ``asset`` is under ``folder`` (copied there from the vendored packages if need be), or
    None when it is not installed."""
    if asset.package is None:
        return folder / asset.path
    source = asset.source()
    if source is None or not source.exists():
        return None
    for needed in [asset, *companions(asset.package)]:
        target = folder / VENDOR_FOLDER / needed.package.spec / needed.path
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if needed.source().is_dir():
            shutil.copytree(needed.source(), target)
        else:
            shutil.copyfile(needed.source(), target)
    return folder / VENDOR_FOLDER / asset.package.spec / asset.path


def localise(folder: Path, pages: Iterable[Path]) -> list[str]:
    """Point the known addresses of ``pages`` (under ``folder``) at local copies; return the addresses
    the pages would still fetch from outside."""
    remaining: set[str] = set()
    for page in pages:
        text = page.read_text(encoding="utf-8")

        def local(match: re.Match, page: Path = page) -> str:
            asset = asset_for(match.group(0))
            placed = _placed(asset, folder) if asset else None
            return (
                match.group(0)
                if placed is None
                else os.path.relpath(placed, page.parent).replace(os.sep, "/")
            )

        rewritten = _TAG.sub(_without_integrity, _ADDRESS.sub(local, text))
        if rewritten != text:
            write_text_replacing(page, rewritten)
        remaining.update(external_resources(rewritten))
    return sorted(remaining)


def pages_changed_since(folder: Path, moment: float) -> list[Path]:
    """The HTML and CSS files under ``folder`` written at or after ``moment`` (epoch seconds)."""
    return [
        path
        for pattern in ("*.html", "*.css")
        for path in folder.rglob(pattern)
        if VENDOR_FOLDER not in path.relative_to(folder).parts and path.stat().st_mtime >= moment
    ]
