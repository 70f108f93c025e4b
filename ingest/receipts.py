"""What intake takes, and when it arrived: regular files that have settled, within the size limit, hashed.

Every door (the command line, the inbox sensor's runs, rebuild, the county portal) comes through here or
through ``Receipt``s built the same way, so each rule holds for all of them:

- **Regular files only.** An inbox entry is looked at without following it (``lstat``): a symlink (to
  /etc/passwd, or to a 200 MB file), a FIFO or a device is not taken and says why; its bytes are never
  opened (``archive.open_regular``), so nothing is redirected and nothing hangs.
- **Sizes before bytes.** A file over the size limit is not taken, before anything is hashed or copied.
- **Settled files only.** A file is taken once it has not changed for ``settle_seconds`` by the change
  time the kernel keeps (``st_ctime``: every write sets it, a sender cannot set it back), the same rule
  the inbox sensor applies on top of its own observations; a file still being written is left where it
  is, with the reason.
- **The bytes hashed are the bytes taken.** A file is hashed through one descriptor with its signature
  (size, modification and change times) before and after; one that changed meanwhile is not taken.
  Intake checks the signature again before it stores a file and before it removes it from the inbox.
- **Arrival is a time pingan observed**: the file's change time where pingan found it (when its last
  byte arrived), or the inbox sensor's first sighting if earlier, never later than now; never the
  modification time, which the sender controls. A time the office states instead is used only with its
  record (``ingest.arrivals``).

A file that is not taken is left where it was found: nothing a county sent is lost.
"""

from __future__ import annotations

import errno
import os
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path

from base import calendar, catalogue
from ingest.archive import NotARegularFile, Receipt, fingerprint, signature_of
from ingest.arrivals import StatedArrival

SKIPPED_PREFIXES = ("~$", ".")  # Office lock files, hidden and partial files
SKIPPED_SUFFIXES = (".json", ".txt", ".md")
_KINDS = {
    stat.S_IFLNK: "符号链接（快捷方式）",
    stat.S_IFIFO: "命名管道（FIFO）",
    stat.S_IFCHR: "设备文件",
    stat.S_IFBLK: "设备文件",
    stat.S_IFSOCK: "套接字",
}
LEFT_WHERE_IT_IS = "本次未接收，文件留在原处"


@dataclass
class Gathered:
    """The files to take, and the entries not taken, each with the reason (Chinese)."""

    files: list[Path] = field(default_factory=list)
    not_taken: list[tuple[Path, str]] = field(default_factory=list)
    unsettled: list[Path] = field(default_factory=list)  # of those not taken, the ones still changing


def is_settled(info: os.stat_result, now: float, settle_seconds: float) -> bool:
    """Nothing about the file has changed for ``settle_seconds`` (by the kernel's change time)."""
    return now - info.st_ctime >= settle_seconds


def not_regular_reason(info: os.stat_result) -> str:
    kind = _KINDS.get(stat.S_IFMT(info.st_mode), "特殊文件")
    return f"是{kind}，不是普通文件，{LEFT_WHERE_IT_IS}；请提供报表文件本身（而不是链接或其他特殊文件）"


def unsettled_reason(settle_seconds: float) -> str:
    return (
        f"最近 {settle_seconds:g} 秒内仍有改动（可能正在写入），{LEFT_WHERE_IT_IS}；"
        "写完后会自动接收，或稍后再运行 pingan ingest"
    )


CHANGED_REASON = (
    f"在接收过程中被改动（可能正在写入），{LEFT_WHERE_IT_IS}；写完后会自动接收，或稍后再运行 pingan ingest"
)
VANISHED_REASON = "在接收前被移走或删除，未接收"


def too_large_reason(size: int, max_bytes: int) -> str:
    return (
        f"文件过大（{size / 1048576:.1f} MB），上限为 {max_bytes / 1048576:.0f} MB，{LEFT_WHERE_IT_IS}；"
        "请联系报送单位删去多余内容（如图片）后重新报送"
    )


def _entries(path: Path) -> list[Path]:
    """``path`` itself, or everything under a folder, without following links into other folders."""
    if path.is_symlink() or not path.is_dir():
        return [path]
    found = []
    for folder, folders, files in os.walk(path, followlinks=False):
        folders.sort()
        found += [Path(folder) / name for name in sorted(files)]
        found += [Path(folder) / name for name in folders if (Path(folder) / name).is_symlink()]
    return found


def gather(
    paths: list[Path], *, max_bytes: int | None = None, settle_seconds: float = 0, now: float | None = None
) -> Gathered:
    """The regular, settled, not too large files under the given files and folders; what else was
    found is ``not_taken`` with its reason (Office lock files and notes are passed over silently)."""
    now = time.time() if now is None else now
    gathered = Gathered()
    for path in paths:
        for entry in _entries(Path(path)):
            if entry.name.startswith(SKIPPED_PREFIXES) or entry.name.endswith(SKIPPED_SUFFIXES):
                continue
            try:
                info = entry.lstat()
            except FileNotFoundError:
                gathered.not_taken.append((entry, VANISHED_REASON))
                continue
            if not stat.S_ISREG(info.st_mode):
                gathered.not_taken.append((entry, not_regular_reason(info)))
            elif max_bytes is not None and info.st_size > max_bytes:
                gathered.not_taken.append((entry, too_large_reason(info.st_size, max_bytes)))
            elif not is_settled(info, now, settle_seconds):
                gathered.not_taken.append((entry, unsettled_reason(settle_seconds)))
                gathered.unsettled.append(entry)
            else:
                gathered.files.append(entry)
    return gathered


def collect_files(paths: list[Path]) -> list[Path]:
    """The regular files under the given files and folders (see ``gather``)."""
    return gather(paths).files


def filed_under(path: Path) -> str | None:
    """The unit whose folder the file was dropped in (the inbox has a sub-folder per unit)."""
    unit = catalogue.resolve_unit(path.parent.name)
    return unit.code if unit else None


def observed_time(changed: float, first_seen: float | None = None) -> str:
    """When pingan saw the file arrive: its change time (epoch seconds), or an observer's first sighting
    if earlier; office wall clock, never in the future."""
    seconds = changed if first_seen is None else min(changed, first_seen)
    return min(calendar.from_timestamp(seconds), calendar.local_now()).isoformat()


def receipts_for(
    files: list[Path],
    *,
    stated: dict[str, StatedArrival] | None = None,
    first_seen: dict[str, float] | None = None,
) -> tuple[list[Receipt], list[tuple[Path, str]]]:
    """A receipt for each file (in the order received), and the files not taken with the reason: one
    that changed while it was hashed, or is no longer a regular file. ``first_seen`` maps a path (as
    text) to when an observer (the inbox sensor) first saw it; ``stated`` the office's arrivals by sha256."""
    stated, first_seen = stated or {}, first_seen or {}
    receipts, not_taken = [], []
    for path in files:
        try:
            sha256, before, after = fingerprint(path)
        except FileNotFoundError:
            not_taken.append((path, VANISHED_REASON))
            continue
        except OSError as error:
            if not isinstance(error, NotARegularFile) and error.errno != errno.ELOOP:  # ELOOP: a link
                raise
            not_taken.append((path, not_regular_reason(path.lstat())))
            continue
        if before != after:
            not_taken.append((path, CHANGED_REASON))
            continue
        observed = observed_time(after[2] / 1e9, first_seen.get(str(path)))
        statement = stated.get(sha256)
        receipts.append(
            Receipt(
                path=path,
                file_name=path.name,
                sha256=sha256,
                size_bytes=after[0],
                received_at=statement.received_at if statement else observed,
                filed_under=filed_under(path),
                observed_at=observed,
                arrival_stated=statement.audit() if statement else None,
                signature=after,
            )
        )
    return sorted(receipts, key=lambda r: (r.received_at, r.file_name)), not_taken


def unchanged_since_hashed(receipt: Receipt) -> bool:
    """The file still looks as it did when it was hashed (always true for a receipt without a signature:
    an upload, or an archive copy on rebuild)."""
    if receipt.signature is None:
        return True
    try:
        return signature_of(receipt.path.lstat()) == receipt.signature
    except FileNotFoundError:
        return False
