"""Cheap checks on a file's bytes before any reader sees it.

What is checked: the file is not empty and not over the size limit; it starts like a workbook (a zip
for .xlsx/.xlsm/.ods, an OLE2 compound file for .xls or an encrypted .xlsx); a zip's directory declares
sane sizes, ratios and entry counts; every XML part inflates and declares no XML entities; each sheet's
declared extent (``<dimension ref=...>``) is within the cell limit. Nothing is inflated beyond the first
KiB of each part (4 KiB of a sheet), and each part is opened once.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path

from base.cell_address import range_bounds
from base.settings import Limits

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]+\d+(?::[A-Z]+\d+)?)\"")


def precheck(path: Path, limits: Limits) -> str | None:
    """None when the file may be read; otherwise the reason (Chinese) it is refused."""
    size = path.stat().st_size
    if size == 0:
        return "文件是空的（0 字节）"
    if size > limits.max_file_bytes:
        return f"文件过大（{size / 1048576:.1f} MB），上限为 {limits.max_file_bytes / 1048576:.0f} MB"
    with open(path, "rb") as handle:
        head = handle.read(8)
    if head.startswith(OLE2_MAGIC):
        return None  # .xls, or an encrypted .xlsx: the reader says which
    if not head.startswith(ZIP_MAGIC):
        return "不是 Excel 工作簿（文件内容不是 xlsx/xls/ods 格式，可能是改了扩展名的其他文件）"
    return _check_zip(path, limits)


def _check_zip(path: Path, limits: Limits) -> str | None:
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            names = [e.filename for e in entries]
            if len(set(names)) != len(names):
                return "工作簿内部有重名的部件，文件结构异常，已拒收"
            if len(entries) > limits.max_entries:
                return f"工作簿内部文件过多（{len(entries)} 个），疑似异常文件"
            inflated = sum(e.file_size for e in entries)
            if inflated > limits.max_inflated_bytes:
                return f"工作簿解压后过大（{inflated / 1048576:.0f} MB），疑似异常文件"
            for entry in entries:
                if (
                    entry.compress_size
                    and entry.file_size / entry.compress_size > limits.max_compression_ratio
                ):
                    return f"工作簿压缩比异常（{entry.filename}），疑似“压缩炸弹”，已拒收"
            for entry in entries:
                if not entry.filename.endswith((".xml", ".rels")):
                    continue
                sheet = entry.filename.startswith("xl/worksheets/") and entry.filename.endswith(".xml")
                head = _head(archive, entry, 4096 if sheet else 1024)  # each part opened once
                if head is None:
                    return f"工作簿文件已损坏或不完整（{'工作表' if sheet else '部件'} {entry.filename} 无法解压）"
                if _declares_entities(head[:1024]):
                    return f"工作簿部件（{entry.filename}）含有 XML 实体声明，疑似恶意构造，已拒收"
                if sheet:
                    problem = _check_dimension(head, limits)
                    if problem:
                        return problem
    except zipfile.BadZipFile:
        return "工作簿文件已损坏或不完整（无法解压）"
    return None


def _head(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, size: int) -> bytes | None:
    """The first ``size`` bytes of a part, inflated; None when it cannot be."""
    try:
        with archive.open(entry) as handle:
            return handle.read(size)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError):
        return None


def _declares_entities(head: bytes) -> bool:
    """A DOCTYPE or ENTITY in a part's first KiB: the billion-laughs and XXE patterns; no Office file has one."""
    return b"<!DOCTYPE" in head or b"<!ENTITY" in head


def _check_dimension(head: bytes, limits: Limits) -> str | None:
    """The extent a worksheet part declares in its first 4 KiB (``head``), within the cell limit."""
    match = _DIMENSION.search(head)
    if not match:
        return None
    ref = match.group(1).decode()
    try:
        min_col, min_row, max_col, max_row = range_bounds(ref)
    except ValueError:  # more than three column letters: no workbook's sheet can reach that far
        return f"工作表声明的范围无效（{ref}），疑似异常文件"
    cells = (max_row - min_row + 1) * (max_col - min_col + 1)
    if cells > limits.max_cells or max_row >= 1_048_576 or max_col >= 16_384:
        return f"工作表声明的范围过大（{ref}），疑似异常文件"
    return None
