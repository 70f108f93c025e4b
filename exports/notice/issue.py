"""The notice's life: a draft beside each published bulletin, then the issued document with its number.

    write_draft(warehouse, "2022-03", out_dir, register_dir=...)  -> the 草稿 (docx + PDF)
    issue_notice(warehouse, "2022-03", out_dir, register_dir=...) -> 毕综治办〔2022〕n号 (docx + PDF)

Both write from the marts and describe the period's latest bulletin workbook (its manifest beside it in
``out_dir``); both refuse when the marts no longer give that workbook's ranking, so the words never
disagree with the tables they attach. The draft is ``社会治安综合治理考评排名通报_<期间>.docx`` and
``…_<期间>_草稿.pdf`` (the workbook's own PDF has the bare name). Issuing takes the next 发文字号 of the
year from the register only once the document is written, stamps the 成文日期, writes
``…_<期间>_<发文字号>.docx/.pdf`` read-only (and protected in Word), and records the notice with the
workbook's sha256 in the register and in the workbook's manifest. Issuing the same workbook again gives
the notice already issued; a later workbook of an issued period (a late or corrected report) gives a
correction (更正) with its own number that says what it corrects.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from base.calendar import Period, date_text, local_time, parse_period
from base.collection import builds_many_objects
from base.files import replacing
from exports.bulletin.manifest import first_scores, write_manifest
from exports.bulletin.pdf import to_pdf
from exports.notice.compose import compose, issuer_code
from exports.notice.config import load_notice_config
from exports.notice.facts import NoticeFacts, read_notice_facts
from exports.notice.fonts import render_copy
from exports.notice.layout import write_docx
from exports.notice.prose import CorrectionFacts
from exports.notice.register import Issued, Register, document_number

STEM = "社会治安综合治理考评排名通报"
MANIFEST_SUFFIX = ".manifest.json"
DRAFT_SUFFIX = "_草稿"

Converter = Callable[[Path], Path | None]


class NoticeError(RuntimeError):
    """The notice cannot be drafted or issued now (the message says why, in Chinese)."""


@dataclass(frozen=True)
class NoticeResult:
    docx: Path
    pdf: Path | None
    period: str
    number: str | None = None  # None for a draft
    corrects: str | None = None  # the number of the notice a correction corrects
    reused: bool = False  # the period's latest bulletin was already issued: nothing new was written

    @property
    def draft(self) -> bool:
        return self.number is None


def draft_paths(out_dir: Path, period: Period) -> tuple[Path, Path]:
    stem = f"{STEM}_{period.label}"
    return out_dir / f"{stem}.docx", out_dir / f"{stem}{DRAFT_SUFFIX}.pdf"


def issued_paths(out_dir: Path, period: Period, number: str) -> tuple[Path, Path]:
    stem = f"{STEM}_{period.label}_{number}"
    return out_dir / f"{stem}.docx", out_dir / f"{stem}.pdf"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def latest_bulletin(out_dir: Path, period: Period) -> tuple[Path, dict] | None:
    """(manifest path, manifest) of the period's latest bulletin in ``out_dir`` (the highest 更正)."""
    found = []
    for path in Path(out_dir).glob(f"*{MANIFEST_SUFFIX}") if Path(out_dir).is_dir() else ():
        manifest = json.loads(path.read_text(encoding="utf-8"))
        if manifest.get("document") == STEM and manifest.get("period") == period.key:
            found.append(((manifest.get("correction") or {}).get("number") or 0, path, manifest))
    if not found:
        return None
    _, path, manifest = max(found, key=lambda item: item[0])
    return path, manifest


def _ranking(rows) -> dict[str, tuple]:
    return {
        r["unit_code"]: (r["rank"], round(float(r["score"]), 4), r["grade"], bool(r["veto"]))
        for r in rows
        if r["score"] is not None
    }


def check_marts_match(facts: NoticeFacts, manifest: dict) -> None:
    """The marts still give the workbook's ranking (rank, score, grade and veto of every unit)."""
    now = _ranking(
        {"unit_code": s.unit_code, "rank": s.rank, "score": s.score, "grade": s.grade, "veto": s.veto}
        for s in facts.scores
    )
    if now != _ranking(manifest["scores"]):
        raise NoticeError(
            f"数据仓库中{facts.period.label}的考评结果与已发布的通报工作簿（{manifest['file']}）不一致："
            "数据已更新。请先运行 pingan report 发布新的通报（更正），再起草或签发公文。"
        )


def correction_facts(previous: Issued, old: dict, new: dict) -> CorrectionFacts:
    """What changed between the issued notice's workbook (``old`` manifest) and the latest (``new``)."""

    def by_month(manifest: dict) -> dict[tuple[str, str], dict]:
        return {(s["unit_code"], s["period"]): s for s in manifest["submissions"]}

    before, after = by_month(old), by_month(new)
    changes = []
    for key in sorted(before.keys() | after.keys()):
        a, b = before.get(key), after.get(key)
        if a and b and (a["version"], a["sha256"]) == (b["version"], b["sha256"]):
            continue
        kind = "补报" if a is None else "撤销" if b is None else "更正重报"
        changes.append(((b or a)["unit_name"], key[1], kind))
    old_scores = {s["unit_code"]: s for s in old["scores"]}
    moves = []
    for s in new["scores"]:
        o = old_scores.get(s["unit_code"], {})
        if (o.get("rank"), o.get("score")) != (s["rank"], s["score"]):
            moves.append((s["unit_name"], o.get("rank"), o.get("score"), s["rank"], s["score"]))
    return CorrectionFacts(
        original_number=previous.number,
        original_date=date_text(dt.date.fromisoformat(previous.issued_on)),
        original_title=previous.title,
        changes=tuple(changes),
        moves=tuple(moves),
        targets_loaded=int(new["period"][:4]) if first_scores(old, new) else None,
    )


def pdf_beside(docx: Path, target: Path, convert: Converter = to_pdf) -> Path | None:
    """Print ``docx`` to ``target`` through LibreOffice, from a copy whose missing fonts are replaced by
    installed stand-ins (see fonts.py); None when LibreOffice is not installed."""
    with tempfile.TemporaryDirectory(prefix="pingan-notice-") as tmp:
        copy = Path(tmp) / f"{target.stem}.docx"
        render_copy(docx, copy)
        made = convert(copy)
        if made is None:
            return None
        with replacing(target) as partial:
            shutil.move(str(made), partial)
    return target


def _record_in_manifest(manifest_path: Path, entry: Issued) -> None:
    """Add the notice to the workbook's manifest (rewritten whole, in one step)."""
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if manifest.get("notice") == asdict(entry):
        return
    manifest["notice"] = asdict(entry)
    write_manifest(manifest_path, manifest)


def _issued_result(entry: Issued, out_dir: Path, reused: bool) -> NoticeResult:
    return NoticeResult(
        out_dir / entry.docx,
        out_dir / entry.pdf if entry.pdf else None,
        entry.period,
        entry.number,
        entry.corrects,
        reused,
    )


@dataclass(frozen=True)
class _Bulletin:
    period: Period
    out_dir: Path
    manifest_path: Path
    manifest: dict
    workbook: Path
    workbook_sha256: str


def _bulletin(out_dir: str | os.PathLike, period: str | Period) -> _Bulletin:
    period = period if isinstance(period, Period) else parse_period(period)
    out = Path(out_dir)
    found = latest_bulletin(out, period)
    if found is None:
        raise NoticeError(
            f"{period.label}的排名通报尚未发布（{out} 中没有），请先运行 pingan report --period {period.key}"
        )
    manifest_path, manifest = found
    workbook = out / manifest["file"]
    return _Bulletin(period, out, manifest_path, manifest, workbook, sha256_of(workbook))


def _previous(register: Register, bulletin: _Bulletin) -> tuple[Issued | None, CorrectionFacts | None]:
    issued = register.of_period(bulletin.period.key)
    if not issued:
        return None, None
    last = issued[-1]
    old = json.loads((bulletin.out_dir / last.manifest).read_text(encoding="utf-8"))
    return last, correction_facts(last, old, bulletin.manifest)


@builds_many_objects
def write_draft(
    warehouse: str | os.PathLike,
    period: str | Period,
    out_dir: str | os.PathLike,
    *,
    register_dir: str | os.PathLike,
    config_dir: str | os.PathLike | None = None,
    pdf: bool = True,
    as_of: dt.datetime | str | None = None,
    convert: Converter = to_pdf,
) -> NoticeResult:
    """Write the draft of the notice for the period's latest bulletin; when that bulletin was already
    issued, write nothing and return the issued notice (``reused``)."""
    bulletin = _bulletin(out_dir, period)
    register = Register(register_dir)
    last, correction = _previous(register, bulletin)
    if last is not None and last.workbook_sha256 == bulletin.workbook_sha256:
        return _issued_result(last, bulletin.out_dir, reused=True)
    facts = read_notice_facts(warehouse, bulletin.period)
    check_marts_match(facts, bulletin.manifest)
    moment = local_time(as_of)
    document = compose(
        facts,
        load_notice_config(config_dir),
        workbook=bulletin.workbook,
        sequence=None,
        issued_on=None,
        year=moment.year,
        correction=correction,
        created=moment,
    )
    docx, pdf_path = draft_paths(bulletin.out_dir, bulletin.period)
    write_docx(document, docx)
    made = pdf_beside(docx, pdf_path, convert) if pdf else None
    return NoticeResult(docx, made, bulletin.period.key, corrects=last.number if last else None)


def issue_notice(
    warehouse: str | os.PathLike,
    period: str | Period,
    out_dir: str | os.PathLike,
    *,
    register_dir: str | os.PathLike,
    config_dir: str | os.PathLike | None = None,
    issued_on: dt.date | None = None,
    pdf: bool = True,
    as_of: dt.datetime | str | None = None,
    convert: Converter = to_pdf,
) -> NoticeResult:
    """Issue the notice of the period's latest bulletin under the next 发文字号 of ``issued_on``'s year
    (default: today in the office's time zone). Nothing is taken from the register unless the docx (and
    with ``pdf``, its PDF) was written; a failure removes what it wrote and leaves the number free."""
    bulletin = _bulletin(out_dir, period)
    register = Register(register_dir)
    moment = local_time(as_of)
    day = issued_on or moment.date()
    with register.locked():
        last, correction = _previous(register, bulletin)
        if last is not None and last.workbook_sha256 == bulletin.workbook_sha256:
            _record_in_manifest(bulletin.manifest_path, last)
            return _issued_result(last, bulletin.out_dir, reused=True)
        facts = read_notice_facts(warehouse, bulletin.period)
        check_marts_match(facts, bulletin.manifest)
        config = load_notice_config(config_dir)
        code = issuer_code(config)
        sequence = register.next_sequence(code, day.year)
        number = document_number(code, day.year, sequence)
        docx, pdf_path = issued_paths(bulletin.out_dir, bulletin.period, number)
        written: list[Path] = []
        try:
            document = compose(
                facts,
                config,
                workbook=bulletin.workbook,
                sequence=sequence,
                issued_on=day,
                year=day.year,
                correction=correction,
                created=moment,
            )
            written.append(write_docx(document, docx))
            made = pdf_beside(docx, pdf_path, convert) if pdf else None
            if made is not None:
                written.append(made)
            entry = Issued(
                number=number,
                code=code,
                year=day.year,
                sequence=sequence,
                period=bulletin.period.key,
                title=document.title,
                issued_on=day.isoformat(),
                corrects=last.number if last else None,
                docx=docx.name,
                docx_sha256=sha256_of(docx),
                pdf=made.name if made else None,
                pdf_sha256=sha256_of(made) if made else None,
                workbook=bulletin.workbook.name,
                workbook_sha256=bulletin.workbook_sha256,
                manifest=bulletin.manifest_path.name,
            )
            register.commit(entry)
        except BaseException:
            for path in written:
                path.unlink(missing_ok=True)
            raise
        for path in written:
            path.chmod(0o444)  # frozen: an issued document is never rewritten
    _record_in_manifest(bulletin.manifest_path, entry)
    return _issued_result(entry, bulletin.out_dir, reused=False)
