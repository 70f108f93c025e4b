"""The browser libraries the pages pingan writes need: pinned, fetched once at install, never at view time.

The Great Expectations Data Docs (``<home>/quality``) load Bootstrap, jQuery, bootstrap-table, Font
Awesome and Vega from CDNs, and a logo from a cloud bucket; on an office network without the internet
they are blank. ``web_packages.csv`` pins each package by version and sha512; ``web_assets.csv`` maps
each address the pages use to a file of one of them (or, for a logo, to a file the pages ship
themselves). ``python -m base.web_assets`` (``make``'s install step) fetches each package's tarball
from the npm registry with npm (``npm pack``), refuses it unless its sha512 is the pinned one, and
unpacks the files named into ``<source>/vendor/`` (not in git: no third-party code is committed).
``base.offline_pages`` copies them beside the pages and points the pages at the copies.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from base.settings import SOURCE_ROOT

PACKAGES_CSV = Path(__file__).with_name("web_packages.csv")
ASSETS_CSV = Path(__file__).with_name("web_assets.csv")
VENDOR_DIR = SOURCE_ROOT / "vendor"
MARKER = ".integrity"


@dataclass(frozen=True)
class WebPackage:
    name: str
    version: str
    integrity: str  # 'sha512-<base64>', as the npm registry states it

    @property
    def spec(self) -> str:
        return f"{self.name}@{self.version}"

    def folder(self, vendor: Path = VENDOR_DIR) -> Path:
        return vendor / self.spec

    def is_fetched(self, vendor: Path = VENDOR_DIR) -> bool:
        marker = self.folder(vendor) / MARKER
        return marker.is_file() and marker.read_text(encoding="utf-8") == self.integrity


@dataclass(frozen=True)
class WebAsset:
    """A file (or folder) a page needs: from a pinned package, or beside the pages (``package`` None)."""

    url: str | None  # the address the pages use; None for files a package's own files load (fonts)
    package: WebPackage | None
    path: str  # inside the package, or relative to the folder of pages

    def source(self, vendor: Path = VENDOR_DIR) -> Path | None:
        return None if self.package is None else self.package.folder(vendor) / self.path


@cache
def packages() -> dict[str, WebPackage]:
    with open(PACKAGES_CSV, encoding="utf-8", newline="") as handle:
        return {
            row["package"]: WebPackage(row["package"], row["version"], row["integrity"])
            for row in csv.DictReader(handle)
        }


@cache
def assets() -> tuple[WebAsset, ...]:
    with open(ASSETS_CSV, encoding="utf-8", newline="") as handle:
        return tuple(
            WebAsset(row["url"] or None, packages()[row["package"]] if row["package"] else None, row["path"])
            for row in csv.DictReader(handle)
        )


def without_query(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


@cache
def _by_url() -> dict[str, WebAsset]:
    return {asset.url: asset for asset in assets() if asset.url}


def asset_for(url: str) -> WebAsset | None:
    """The asset for an address a page uses (its query string aside), or None for an unknown one."""
    return _by_url().get(without_query(url))


def companions(package: WebPackage) -> list[WebAsset]:
    """The files of ``package`` that its other files load by relative address (Font Awesome's fonts)."""
    return [a for a in assets() if a.package == package and a.url is None]


def _sha512(path: Path) -> str:
    digest = hashlib.sha512(path.read_bytes()).digest()
    return "sha512-" + base64.b64encode(digest).decode()


def _unpack(tarball: Path, package: WebPackage, vendor: Path) -> None:
    wanted = [PurePosixPath(a.path) for a in assets() if a.package == package]
    target = package.folder(vendor)
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    with tarfile.open(tarball) as archive:
        for member in archive.getmembers():
            inside = PurePosixPath(member.name)
            if not member.isfile() or inside.parts[0] != "package" or ".." in inside.parts:
                continue
            relative = PurePosixPath(*inside.parts[1:])
            if any(relative == w or w in relative.parents for w in wanted):
                destination = partial / relative
                destination.parent.mkdir(parents=True, exist_ok=True)
                destination.write_bytes(archive.extractfile(member).read())
    (partial / MARKER).write_text(package.integrity, encoding="utf-8")
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)


def fetch(vendor: Path = VENDOR_DIR, npm: str = "npm") -> list[WebPackage]:
    """Fetch, check and unpack every pinned package not fetched yet; return those fetched now."""
    fetched = []
    for package in packages().values():
        if package.is_fetched(vendor):
            continue
        with tempfile.TemporaryDirectory() as tmp:
            completed = subprocess.run(
                [npm, "pack", package.spec, "--json", "--pack-destination", tmp],
                cwd=tmp,
                capture_output=True,
                text=True,
                check=True,
            )
            (packed,) = json.loads(completed.stdout)
            tarball = Path(tmp) / packed["filename"]
            if _sha512(tarball) != package.integrity:
                raise RuntimeError(f"{package.spec}: sha512 is not the pinned one; refusing it")
            _unpack(tarball, package, vendor)
        fetched.append(package)
    return fetched


def main() -> int:
    npm = shutil.which("npm")
    missing = [p.spec for p in packages().values() if not p.is_fetched()]
    if not missing:
        return 0
    if npm is None:
        print(
            f"NOTE: npm not found, so the pages' browser libraries were not fetched ({', '.join(missing)});"
            " Data Docs then load them from the internet. Install Node.js/npm and run make again.",
            file=sys.stderr,
        )
        return 0
    for package in fetch(npm=npm):
        print(f"fetched {package.spec} ({package.integrity[:19]}…)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
