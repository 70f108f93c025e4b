"""Writing a file so that a reader, or a crash, finds the old file or the new one, never half of one.

The new file is written beside its place under a hidden name (``.<name>.partial``), then takes that place
in one step (``os.replace``). An error while writing removes the partial file and leaves the old one; a
kill can leave a partial file behind, which the folders where that matters sweep (ingest/owed.py). A
record that must outlive a power cut (the approvals, the register of issued documents, a county's
upload) is flushed to disk before it takes its place (``durable``).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path


def partial_path(target: Path) -> Path:
    """Where ``target`` is written before it takes its place."""
    return target.with_name(f".{target.name}.partial")


@contextlib.contextmanager
def replacing(target: Path, *, durable: bool = False) -> Iterator[Path]:
    """``with replacing(path) as partial:`` write ``partial``; when the block ends without an error, it
    becomes ``path`` (flushed to disk first when ``durable``)."""
    partial = partial_path(target)
    try:
        yield partial
        if durable:
            descriptor = os.open(partial, os.O_RDONLY)
            try:
                os.fsync(descriptor)
            finally:
                os.close(descriptor)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, target)


def write_text_replacing(target: Path, text: str, *, durable: bool = False) -> Path:
    """Write ``text`` (UTF-8) to ``target`` through ``replacing``."""
    with replacing(target, durable=durable) as partial:
        partial.write_text(text, encoding="utf-8")
    return target
