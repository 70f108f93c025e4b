"""A bulletin's manifest: exactly which inputs it was built from, and what changed since an earlier one.

The manifest is written as JSON beside the workbook and as the hidden sheet 清单. It names the period,
the data cut-off (as-of) time, the rule version (a short hash of the catalogue seeds), the targets
workbook used (or, when the year's is not loaded yet, that no score was computed: scores_computed,
scores_note), every submission version used with its approval state when published (county sign-off,
the office's acceptance or return: ``base.approvals``), and the published ranking (so a later correction
can say who moved). Approval is not an input: the same versions republished give the same bulletin.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from base.approvals import PENDING, STATE_LABELS, VersionState
from base.catalogue import reference_dir
from exports.bulletin.data import BulletinData, Row
from exports.bulletin.format import targets_not_loaded
from exports.json_file import write_json_file

MANIFEST_SUFFIX = ".manifest.json"


def rule_files() -> dict[str, str]:
    """sha256 of each catalogue seed file, by file name."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(reference_dir().glob("*.csv"))}


def rule_version(files: dict[str, str] | None = None) -> str:
    """A short hash of all seed files: changes whenever a unit, indicator, grade or setting changes."""
    files = rule_files() if files is None else files
    joined = "\n".join(f"{name} {digest}" for name, digest in sorted(files.items()))
    return hashlib.sha256(joined.encode()).hexdigest()[:12]


def _iso(value: Any) -> Any:
    return value.isoformat(timespec="seconds") if isinstance(value, datetime) else value


def _score(value: float | None) -> float | None:
    return None if value is None else round(float(value), 4)


def build_manifest(
    data: BulletinData,
    *,
    document: str,
    file_name: str,
    as_of: datetime,
    prefecture: str,
    issued_by: str,
    correction: dict | None = None,
) -> dict:
    files = rule_files()
    targets = data.targets_file
    return {
        "document": document,
        "file": file_name,
        "prefecture": prefecture,
        "issued_by": issued_by,
        "period": data.period.key,
        "period_type": data.period.period_type,
        "period_label": data.period.label,
        "as_of": _iso(as_of),
        "rule_version": rule_version(files),
        "rule_files": files,
        "targets": None if targets is None else {k: _iso(targets[k]) for k in sorted(targets)},
        "scores_computed": data.scored,
        "scores_note": None if data.scored else targets_not_loaded(data.period.year),
        "months_in_scope": list(data.period.scope_months),
        "submissions": [
            {
                "unit_code": s["unit_code"],
                "unit_name": s["unit_name"],
                "period": s["period"],
                "version": s["version"],
                "sha256": s["sha256"],
                "status_label": s["status_label"],
                "approval": approval_entry(data.approval(s)),
            }
            for s in data.submissions_used
        ],
        "scores": [
            {
                "unit_code": s["unit_code"],
                "unit_name": s["unit_name"],
                "rank": s["rank"],
                "units_ranked": s["units_ranked"],
                "score": _score(s["score"]),
                "grade": s["grade"],
                "veto": bool(s["veto"]),
            }
            for s in data.scores
        ],
        "correction": correction,
    }


def approval_entry(state: VersionState | None) -> dict:
    """A version's approval state as the manifest records it: the state, its words, and the step that
    put it there (who, when, a return's note); 待审核 when no approval step was ever taken."""
    if state is None:
        return {"state": PENDING, "label": STATE_LABELS[PENDING]}
    entry = {"state": state.state, "label": state.label}
    if state.step is not None:
        entry |= {"step": state.step.action, "by": state.step.by, "at": state.step.at}
        if state.step.note:
            entry["note"] = state.step.note
    return entry


def write_manifest(path: Path, manifest: dict) -> Path:
    return write_json_file(path, manifest, sort_keys=True)


def read_manifest(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def submission_key(entry: Row) -> tuple:
    return (entry["unit_code"], entry["period"], entry["version"], entry["sha256"])


def same_inputs(old: dict, new: dict) -> bool:
    """True when two manifests were built from the same submissions, targets and rules."""
    return (
        sorted(map(submission_key, old["submissions"])) == sorted(map(submission_key, new["submissions"]))
        and (old.get("targets") or {}).get("sha256") == (new.get("targets") or {}).get("sha256")
        and old.get("rule_version") == new.get("rule_version")
    )


@dataclass(frozen=True)
class SubmissionChange:
    unit_code: str
    unit_name: str
    period: str
    old_version: int | None
    new_version: int | None

    @property
    def kind(self) -> str:
        if self.old_version is None:
            return "补报"
        if self.new_version is None:
            return "撤销"
        return "更正重报"


@dataclass(frozen=True)
class UnitMove:
    unit_code: str
    unit_name: str
    old: dict | None
    new: dict | None
    reason: str


def submission_changes(old: dict, new: dict) -> list[SubmissionChange]:
    """Submissions added, replaced or dropped between two manifests, by unit and month."""

    def by_month(manifest: dict) -> dict[tuple[str, str], Row]:
        return {(s["unit_code"], s["period"]): s for s in manifest["submissions"]}

    before, after = by_month(old), by_month(new)
    changes = []
    for key in sorted(before.keys() | after.keys()):
        a, b = before.get(key), after.get(key)
        if a is not None and b is not None and submission_key(a) == submission_key(b):
            continue
        name = (b or a)["unit_name"]
        changes.append(SubmissionChange(key[0], name, key[1], a and a["version"], b and b["version"]))
    return changes


def unit_moves(old: dict, new: dict, changes: list[SubmissionChange]) -> list[UnitMove]:
    """Units whose rank, score, grade or veto differ, with the reason in Chinese."""
    before = {s["unit_code"]: s for s in old["scores"]}
    after = {s["unit_code"]: s for s in new["scores"]}
    order = [s["unit_code"] for s in new["scores"]] + [c for c in before if c not in after]
    moves = []
    for code in order:
        a, b = before.get(code), after.get(code)
        fields = ("rank", "score", "grade", "veto")
        if a and b and all(a[f] == b[f] for f in fields):
            continue
        own = [c for c in changes if c.unit_code == code]
        if own:
            reason = "；".join(
                f"本单位{int(c.period[5:7])}月月报{c.kind}（{_version(c.old_version)}→{_version(c.new_version)}）"
                for c in own
            )
        elif changes:
            reason = "其他单位数据更正后，名次相应调整"
        elif first_scores(old, new):
            reason = TARGETS_LOADED
        else:
            reason = "目标责任书或考评规则更新后重新考评"
        moves.append(UnitMove(code, (b or a)["unit_name"], a, b, reason))
    return moves


TARGETS_LOADED = "目标管理责任书载入后首次计算综合得分"


def first_scores(old: dict, new: dict) -> bool:
    """The earlier bulletin had no scores (its year's targets were not loaded) and this one has."""
    return old.get("scores_computed") is False and bool(new.get("scores_computed"))


def _version(version: int | None) -> str:
    return "无" if version is None else f"第{version}版"
