"""An upload's body, within its limits, into a file whose name the server chose.

Limits come before storage: a declared Content-Length over the limit is refused before a byte is read;
without one, the body is counted as it streams and refused the moment it passes the limit; one file per
request, two fields at most. The bytes go to ``<home>/portal/uploads/<random id><suffix>`` (the suffix
picked from ``config.UPLOAD_SUFFIXES``), fsynced, with their sha256 taken on the way. The name the
browser sent is kept for display only (``display_name``: its last path component, printable, bounded).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request

from base.files import replacing
from base.settings import Home
from portal.config import FORM_OVERHEAD_BYTES, UPLOAD_SUFFIXES
from portal.security import FORM_EXPIRED, tokens_match

UPLOADS_FOLDER = "uploads"
MAX_NAME_LENGTH = 120
_FORBIDDEN_IN_NAMES = set('<>:"|?*')


class UploadRefused(Exception):
    """An upload refused at the door: the HTTP status and the reason in Chinese."""

    def __init__(self, status: int, message: str, result: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.result = result  # for the audit log


class _TooLarge(Exception):
    pass


@dataclass(frozen=True)
class ReceivedFile:
    upload_id: str
    stored: Path
    file_name: str  # as the county named it, for display
    sha256: str
    size_bytes: int


def uploads_folder(home: Home) -> Path:
    return home.portal / UPLOADS_FOLDER


def too_large_message(max_bytes: int) -> str:
    return f"文件超过 {max_bytes / 1024 / 1024:g} MB 的上限，未接收。请检查是否选错了文件。"


def display_name(raw: str | None) -> str:
    """The file's own name as the county's computer gave it: the last path component only (any folder a
    browser or a forged request put in front is dropped), printable characters, at most 120 long."""
    name = unicodedata.normalize("NFC", raw or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(
        c for c in name if not unicodedata.category(c).startswith("C") and c not in _FORBIDDEN_IN_NAMES
    )
    name = name.strip().lstrip(".")
    if len(name) > MAX_NAME_LENGTH:
        suffix = Path(name).suffix[:8]
        name = name[: MAX_NAME_LENGTH - len(suffix)] + suffix
    return name


def allowed_suffix(name: str) -> str | None:
    """The suffix (one of ``UPLOAD_SUFFIXES``, the constant itself) of an acceptable file name."""
    lowered = Path(name).suffix.lower()
    return next((s for s in UPLOAD_SUFFIXES if s == lowered), None)


async def _limited(stream: AsyncIterator[bytes], limit: int) -> AsyncIterator[bytes]:
    total = 0
    async for chunk in stream:
        total += len(chunk)
        if total > limit:
            raise _TooLarge
        yield chunk


async def receive_upload(request: Request, home: Home, max_bytes: int, csrf_token: str) -> ReceivedFile:
    """Read one uploaded file into the upload folder when the form's CSRF field is ``csrf_token``;
    UploadRefused if not."""
    limit = max_bytes + FORM_OVERHEAD_BYTES
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise UploadRefused(413, too_large_message(max_bytes), "too_large")
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise UploadRefused(400, "请用页面上的上传表单选择文件后点“上传”。", "not_a_form")
    parser = MultiPartParser(
        request.headers, _limited(request.stream(), limit), max_files=1, max_fields=2, max_part_size=1024
    )
    try:
        form = await parser.parse()
    except _TooLarge:
        raise UploadRefused(413, too_large_message(max_bytes), "too_large") from None
    except MultiPartException:
        raise UploadRefused(400, "上传内容不完整或一次选了多个文件；每次上传一个文件。", "bad_form") from None
    try:
        if not tokens_match(csrf_token, form.get("csrf")):
            raise UploadRefused(403, FORM_EXPIRED, "csrf")
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise UploadRefused(400, "请先选择要上传的文件。", "no_file")
        name = display_name(upload.filename)
        suffix = allowed_suffix(name)
        if suffix is None:
            raise UploadRefused(
                415,
                f"只能上传 Excel 或 WPS 表格文件（{' '.join(UPLOAD_SUFFIXES)}），未接收“{name}”。",
                "wrong_type",
            )
        if not upload.size:
            raise UploadRefused(400, "文件是空的（0 字节），未接收。", "empty")
        if upload.size > max_bytes:
            raise UploadRefused(413, too_large_message(max_bytes), "too_large")
        upload_id = secrets.token_hex(16)
        target = uploads_folder(home) / f"{upload_id}{suffix}"
        sha256 = await run_in_threadpool(_store, upload, target)
        return ReceivedFile(upload_id, target, name, sha256, upload.size)
    finally:
        await form.close()


def _store(upload: UploadFile, target: Path) -> str:
    """Copy the spooled upload to ``target`` (fsynced), returning its sha256."""
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    upload.file.seek(0)
    with replacing(target, durable=True) as partial, open(partial, "wb") as out:
        for block in iter(lambda: upload.file.read(1 << 20), b""):
            digest.update(block)
            out.write(block)
    return digest.hexdigest()
