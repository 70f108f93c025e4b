"""File names pingan writes, bounded in length whatever a county called its file.

A county's file name can be as long as its file system allows (255 bytes on most: 85 Chinese
characters). pingan builds names from it (the quarantine copy, the 数据质量反馈表 of an unreadable file)
and adds its own prefixes and suffixes, and writes each under a temporary name first; unbounded, such a
name fails with "File name too long" after the file was stored. ``bounded_name`` keeps a name within
``NAME_MAX_BYTES`` of UTF-8, cutting the county's part (never the suffix) at a character boundary, with
room left for the temporary and companion names (``.name.partial``, ``name.原因.json``).
"""

from __future__ import annotations

NAME_MAX_BYTES = 180  # of the 255 a file system allows: room for pingan's own prefixes and suffixes


def bounded_name(stem: str, suffix: str = "", max_bytes: int = NAME_MAX_BYTES) -> str:
    """``stem + suffix``, with ``stem`` cut (at a character boundary) so the whole fits ``max_bytes``."""
    room = max_bytes - len(suffix.encode("utf-8"))
    if room <= 0:
        raise ValueError(f"suffix too long for a file name: {suffix!r}")
    cut = stem.encode("utf-8")[:room].decode("utf-8", errors="ignore")
    return cut + suffix
