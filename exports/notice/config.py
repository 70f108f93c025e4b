"""The notice's wording and furniture: ``notice.toml`` beside this module, overridden by the home's copy.

The office edits ``<home>/config/notice.toml``, writing only the entries it changes; each replaces the
default of the same name. Every entry is checked when read: a misspelt name, a list where text belongs
or a figure slot the entry cannot have (``{units_asessed}``) is a ``NoticeConfigError`` naming the entry,
never silently ignored. The allowed slots of each entry are declared here, once; the prose fills them.
"""

from __future__ import annotations

import string
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_FILE = Path(__file__).with_name("notice.toml")
HOME_FILE_NAME = "notice.toml"

_PERIOD = {"period_label", "prefecture"}
_REPORTS = {
    "period_label",
    "reports_expected",
    "reports_on_time",
    "reports_late",
    "reports_missing",
    "reports_rejected",
    "timeliness_rate",
}

# Every entry, with the slots its text may use (None: not a template, e.g. a list or a number).
SLOTS: dict[str, dict[str, set[str] | None]] = {
    "document": {
        "issuer_code": {"prefecture", "prefecture_initial"},
        "masthead": {"office_name"},
        "title": _PERIOD,
        "correction_title": _PERIOD,
        "addressees": set(),
        "signatory": {"office_name"},
        "copy_to": {"office_name"},
        "printed_by": {"office_name"},
        "attachment": {"period_label", "sheet"},
        "attachment_leave_out": None,
    },
    "headings": {
        key: set()
        for key in (
            "basic",
            "results",
            "grades",
            "ranking",
            "targets",
            "problems",
            "rejected",
            "timeliness",
            "recurring",
            "requirements",
        )
    },
    "text": {
        "opening": {"year", "period_label", "basis", "prefecture"},
        "opening_not_scored": {"year", "period_label", "basis", "prefecture"},
        "basic": {"units_assessed", *_REPORTS},
        "basic_not_scored": _REPORTS,
        "not_scored": {"year", "period_label"},
        "grades": {"grade_counts"},
        "grade_count": {"grade", "count"},
        "yellow_cards": {"units"},
        "yellow_card_unit": {"unit", "reason"},
        "ranking": {"top", "bottom"},
        "ranked_unit": {"units", "rank", "score"},
        "ranked_tie": {"units", "rank", "score"},
        "veto": {"unit", "reason", "veto_grade"},
        "no_veto": set(),
        "moved_up": {"units", "places"},
        "moved_down": {"units", "places"},
        "no_move": set(),
        "no_previous": set(),
        "no_previous_year": set(),
        "targets": {"targets_total", "targets_met", "targets_missed", "targets_unevaluated"},
        "target_group": {"target", "units_total", "outcome"},
        "target_all_met": set(),
        "target_met": {"count", "units"},
        "target_missed": {"count", "units"},
        "target_unevaluated": {"count", "units"},
        "rejected": {"period_label", "rejected_files", "rejected_list"},
        "no_rejected": {"period_label"},
        "rejected_file": {"unit", "month", "errors", "example", "state"},
        "rejected_corrected": set(),
        "rejected_outstanding": set(),
        "late": {"late_list"},
        "no_late": set(),
        "late_report": {"unit", "month", "received", "deadline"},
        "missing": {"missing_list"},
        "missing_report": {"unit", "month"},
        "recurring": {"year", "period_label", "problems"},
        "no_recurring": {"year", "period_label"},
        "recurring_problem": {"problem", "rule_id", "count", "units"},
        "closing": set(),
        "correction": {"original_date", "original_title", "original_number", "reasons", "moves"},
        "correction_reason": {"unit", "month", "change"},
        "correction_rules": set(),
        "correction_targets_loaded": {"year"},
        "correction_first_scores": set(),
        "correction_move": {"unit", "old_rank", "old_score", "new_rank", "new_score"},
        "correction_no_move": set(),
    },
    "targets": {
        kind: {"indicator", "label", "target"}
        for kind in ("min", "max", "rank_within", "rank_up", "improve", "growth")
    },
    "requirements": {"paragraphs": {"next_month_label", "next_deadline", "veto_grade"}},
    "recurring": {"min_files": None, "max_listed": None},
}


class NoticeConfigError(ValueError):
    """The notice configuration has an entry that cannot be used (named in the message)."""


@dataclass(frozen=True)
class NoticeConfig:
    entries: dict[str, dict[str, Any]]
    sources: tuple[Path, ...]  # the default file, then the home's file when there is one

    def text(self, table: str, key: str, **slots: object) -> str:
        """The entry filled with ``slots`` (each must be one the entry may use)."""
        return str(self.entries[table][key]).format_map(slots)

    def texts(self, table: str, key: str, **slots: object) -> list[str]:
        return [str(item).format_map(slots) for item in self.entries[table][key]]

    def value(self, table: str, key: str) -> Any:
        return self.entries[table][key]


def _slots_of(template: str, where: str) -> set[str]:
    try:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError as error:
        raise NoticeConfigError(f"{where}：大括号不成对（{error}）") from None


def _check(table: str, key: str, value: Any, source: Path) -> None:
    where = f"{source} [{table}] {key}"
    allowed = SLOTS[table][key]
    if allowed is None:
        return
    templates = value if isinstance(value, list) else [value]
    if isinstance(value, list) and key != "paragraphs":
        raise NoticeConfigError(f"{where}：应为一段文字，不是列表")
    for template in templates:
        if not isinstance(template, str):
            raise NoticeConfigError(f"{where}：应为文字，写的是 {template!r}")
        wrong = _slots_of(template, where) - allowed
        if wrong:
            may = "、".join("{" + s + "}" for s in sorted(allowed)) or "（无）"
            raise NoticeConfigError(
                f"{where}：不能使用数字位 {'、'.join('{' + s + '}' for s in sorted(wrong))}；可用的是 {may}"
            )


def _read(path: Path) -> dict[str, dict[str, Any]]:
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise NoticeConfigError(f"{path}：不是有效的 TOML 文件（{error}）") from None
    for table, entries in data.items():
        if table not in SLOTS or not isinstance(entries, dict):
            raise NoticeConfigError(f"{path}：未知的配置节 [{table}]；可用的是 {'、'.join(SLOTS)}")
        for key, value in entries.items():
            if key not in SLOTS[table]:
                known = "、".join(SLOTS[table])
                raise NoticeConfigError(f"{path} [{table}]：未知的配置项 {key}；本节可用的是 {known}")
            _check(table, key, value, path)
    return data


def load_notice_config(config_dir: str | Path | None = None) -> NoticeConfig:
    """The default configuration with ``<config_dir>/notice.toml`` laid over it (when present)."""
    entries = _read(DEFAULT_FILE)
    sources = [DEFAULT_FILE]
    missing = [f"[{t}] {k}" for t, keys in SLOTS.items() for k in keys if k not in entries.get(t, {})]
    if missing:
        raise NoticeConfigError(f"{DEFAULT_FILE}：缺少 {'、'.join(missing)}")
    override = Path(config_dir) / HOME_FILE_NAME if config_dir is not None else None
    if override is not None and override.is_file():
        for table, values in _read(override).items():
            entries[table].update(values)
        sources.append(override)
    return NoticeConfig(entries, tuple(sources))
