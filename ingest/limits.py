"""Limits on what pingan will open, from configuration (PINGAN_ environment variables) with safe defaults.

A county's file is untrusted input: a zip bomb or a sheet claiming a million rows is refused from its
declared sizes before anything is inflated, and the reader runs in a worker process that is killed
when it passes its time or memory budget.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


def _env_number(name: str, default: float) -> float:
    text = os.environ.get(name)
    return float(text) if text else default


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int  # the file as received
    max_inflated_bytes: int  # sum of declared uncompressed sizes in the archive
    max_compression_ratio: float  # declared uncompressed / compressed, per entry
    max_entries: int  # files inside the archive
    max_cells: int  # declared sheet extent (rows x columns), per sheet
    read_seconds: float  # wall-clock budget to read and parse one file
    read_memory_bytes: int  # address-space budget of a reader process

    @classmethod
    def from_env(cls) -> Limits:
        mib = 1024 * 1024
        return cls(
            max_file_bytes=int(_env_number("PINGAN_MAX_FILE_MB", 20) * mib),
            max_inflated_bytes=int(_env_number("PINGAN_MAX_INFLATED_MB", 200) * mib),
            max_compression_ratio=_env_number("PINGAN_MAX_COMPRESSION_RATIO", 200),
            max_entries=int(_env_number("PINGAN_MAX_ARCHIVE_ENTRIES", 2000)),
            max_cells=int(_env_number("PINGAN_MAX_SHEET_CELLS", 2_000_000)),
            read_seconds=_env_number("PINGAN_READ_SECONDS", 10),
            read_memory_bytes=int(_env_number("PINGAN_READ_MEMORY_MB", 1024) * mib),
        )
