"""The 通报's words, written by rules from the marts' figures and the office's templates.

    body = write_body(facts, config)        -> (title, [Block, ...]) for 一、基本情况 … 四、下步要求

Which sentences appear and what fills their slots is decided here (ties share a place, a unit that moved
most is named with every unit that moved as far, a target group names the units that missed it); the
words themselves are the templates of ``notice.toml``. Grade words, target-type labels and the veto grade
come from the catalogue, dates and period labels from the calendar. Nothing here computes a score or a
rank: every number printed is one the marts hold (or a count of their rows).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from base import catalogue
from base.calendar import date_text, deadline, month_label, period_label, shift_month
from base.rules import rules
from exports.notice.config import NoticeConfig
from exports.notice.facts import Finding, NoticeFacts, Report, Score, Target

LIST_JOIN = "、"
CLAUSE_JOIN = "；"
RANKED_AT_EACH_END = 3


@dataclass(frozen=True)
class Block:
    """A paragraph of the body: a first-level heading (黑体), or text with an optional run-in
    second-level heading (楷体) before it."""

    kind: str  # heading | paragraph
    text: str
    lead: str = ""


@dataclass(frozen=True)
class CorrectionFacts:
    """What a correction (更正) corrects: the issued notice and what changed since."""

    original_number: str
    original_date: str  # as printed, 2023年1月5日
    original_title: str
    changes: tuple[tuple[str, str, str], ...]  # (unit, month 'YYYY-MM', 补报 | 更正重报 | 撤销)
    moves: tuple[tuple[str, int | None, float | None, int | None, float | None], ...]
    targets_loaded: int | None = None  # the year whose targets arrived since: the first scores of the period


def score_text(score: float) -> str:
    return f"{score:.1f}"


def indicator_words(name: str) -> str:
    """An indicator's name as prose writes it: no trailing (%) / (万元), Chinese quotation marks."""
    name = re.sub(r"\((%|万元)\)$", "", name)
    return re.sub(r'"([^"]*)"', r"“\1”", name)


def target_text(value: float, value_type: str, measure_unit: str) -> str:
    """A target value as a 通报 writes it: 95%, 60 (a rank), 0起, 2次."""
    if value_type in {"ratio", "timeliness"}:
        return f"{value * 100:g}%"
    if value_type == "percent":
        return f"{value:g}%"
    if value_type in {"rank", "rank_change"}:
        return f"{value:g}"
    return f"{value:g}{measure_unit}"


def _names(units: Iterable[str]) -> str:
    return LIST_JOIN.join(units)


def _sentences(clauses: Sequence[str]) -> str:
    return CLAUSE_JOIN.join(clauses) + "。" if clauses else ""


# --------------------------------------------------------------------------------------------------
# 一、基本情况


def basic_paragraph(facts: NoticeFacts, config: NoticeConfig) -> str:
    """The reports of the period; with the number of units assessed when there are scores."""
    counts = Counter(r.status for r in facts.reports)
    expected = len(facts.reports)
    on_time = counts["已报"]
    assessed = {"units_assessed": facts.units_assessed} if facts.scored else {}
    return config.text(
        "text",
        "basic" if facts.scored else "basic_not_scored",
        period_label=facts.period.label,
        **assessed,
        reports_expected=expected,
        reports_on_time=on_time,
        reports_late=counts["逾期"],
        reports_missing=counts["未报"],
        reports_rejected=counts["退回"],
        timeliness_rate=f"{on_time / expected:.1%}" if expected else "—",
    )


# --------------------------------------------------------------------------------------------------
# 二、考评结果


def grades_paragraph(facts: NoticeFacts, config: NoticeConfig) -> str:
    counts = Counter(s.grade for s in facts.scores)
    parts = [
        config.text("text", "grade_count", grade=g, count=counts[g])
        for g, _ in catalogue.grades()
        if counts[g]
    ]
    text = config.text("text", "grades", grade_counts=LIST_JOIN.join(parts))
    vetoed = [s for s in facts.scores if s.veto]
    for score in vetoed:
        text += config.text(
            "text",
            "veto",
            unit=score.unit_name,
            reason=(score.veto_reason or "").rstrip("。"),
            veto_grade=catalogue.veto_grade(),
        )
    if not vetoed:
        text += config.text("text", "no_veto")
    carded = [s for s in facts.scores if s.yellow_card]
    if carded:
        units = LIST_JOIN.join(
            config.text("text", "yellow_card_unit", unit=s.unit_name, reason=s.yellow_card_reason or "")
            for s in carded
        )
        text += config.text("text", "yellow_cards", units=units)
    return text


def _ranked(scores: Sequence[Score], config: NoticeConfig) -> str:
    """Units in rank order; units sharing a rank are one item (并列)."""
    groups: dict[int, list[Score]] = defaultdict(list)
    for score in scores:
        groups[score.rank].append(score)
    items = []
    for rank, same in groups.items():
        key = "ranked_tie" if len(same) > 1 else "ranked_unit"
        units = _names(s.unit_name for s in same)
        items.append(config.text("text", key, units=units, rank=rank, score=score_text(same[0].score)))
    return LIST_JOIN.join(items)


def ends_of_ranking(scores: Sequence[Score]) -> tuple[list[Score], list[Score]]:
    """The units placed in the first three places and in the last three (ties at the edge included)."""
    top = [s for s in scores if s.rank <= RANKED_AT_EACH_END]
    if len(scores) < RANKED_AT_EACH_END:
        return top, []
    edge = scores[-RANKED_AT_EACH_END].rank
    bottom = [s for s in scores if s.rank >= edge and s not in top]
    return top, bottom


def _movers(scores: Sequence[Score], config: NoticeConfig) -> str:
    """Who moved most since the previous period; when no unit can be compared, why (the marts'
    rank_change_status: a previous year without targets has no ranking to move from)."""
    changes = [s.rank_change for s in scores if s.rank_change is not None]
    if not changes:
        unassessed = any(s.rank_change_status == "previous_year_not_assessed" for s in scores)
        return config.text("text", "no_previous_year" if unassessed else "no_previous") + "。"
    clauses = []
    up, down = max(changes), min(changes)
    if up > 0:
        units = _names(s.unit_name for s in scores if s.rank_change == up)
        clauses.append(config.text("text", "moved_up", units=units, places=up))
    if down < 0:
        units = _names(s.unit_name for s in scores if s.rank_change == down)
        clauses.append(config.text("text", "moved_down", units=units, places=-down))
    return _sentences(clauses or [config.text("text", "no_move")])


def ranking_paragraph(facts: NoticeFacts, config: NoticeConfig) -> str:
    top, bottom = ends_of_ranking(facts.scores)
    text = config.text(
        "text", "ranking", top=_ranked(top, config), bottom=_ranked(bottom, config) if bottom else "—"
    )
    return text + _movers(facts.scores, config)


def _target_phrase(target: Target, config: NoticeConfig) -> str:
    label = catalogue.target_type_by_code()[target.target_type].label
    value = target_text(target.target_value, target.value_type, target.measure_unit)
    return config.text(
        "targets",
        target.target_type,
        indicator=indicator_words(target.indicator_name),
        label=label,
        target=value,
    )


def target_groups(targets: Sequence[Target]) -> list[list[Target]]:
    """Targets grouped by indicator, type and value: the survey targets the speech sets (top 60, up 5,
    improvement) first, then by the catalogue's order of target types and of indicators."""
    order = {t.code: t.sort_order for t in catalogue.target_types()}
    groups: dict[tuple, list[Target]] = defaultdict(list)
    for target in targets:
        groups[(target.indicator_code, target.target_type, target.target_value)].append(target)

    def key(group: list[Target]) -> tuple:
        first = group[0]
        return (
            not first.is_survey,
            order.get(first.target_type, 99),
            first.indicator_order,
            first.target_value,
        )

    return sorted(groups.values(), key=key)


def _outcome(group: list[Target], config: NoticeConfig) -> str:
    met = [t for t in group if t.evaluated and t.attained]
    missed = [t for t in group if t.evaluated and not t.attained]
    unevaluated = [t for t in group if not t.evaluated]
    if len(met) == len(group):
        return config.text("text", "target_all_met")
    parts = []
    for key, units in (("target_met", met), ("target_missed", missed), ("target_unevaluated", unevaluated)):
        if units:
            parts.append(config.text("text", key, count=len(units), units=_names(t.unit_name for t in units)))
    return "，".join(parts)


def targets_paragraph(facts: NoticeFacts, config: NoticeConfig) -> str:
    targets = facts.targets
    text = config.text(
        "text",
        "targets",
        targets_total=len(targets),
        targets_met=sum(1 for t in targets if t.evaluated and t.attained),
        targets_missed=sum(1 for t in targets if t.evaluated and not t.attained),
        targets_unevaluated=sum(1 for t in targets if not t.evaluated),
    )
    clauses = [
        config.text(
            "text",
            "target_group",
            target=_target_phrase(group[0], config),
            units_total=len(group),
            outcome=_outcome(group, config),
        )
        for group in target_groups(targets)
    ]
    return text + _sentences(clauses)


# --------------------------------------------------------------------------------------------------
# 三、存在问题


def rejected_files(facts: NoticeFacts) -> list[list[Finding]]:
    """The files of the period's months that were returned (any error finding), one list per file."""
    months = set(facts.period.months)
    files: dict[str, list[Finding]] = defaultdict(list)
    for finding in facts.findings:
        if finding.month in months and finding.severity == "error":
            files[finding.sha256].append(finding)
    return list(files.values())


def rejected_paragraph(facts: NoticeFacts, config: NoticeConfig) -> str:
    files = rejected_files(facts)
    label = facts.period.label
    if not files:
        return config.text("text", "no_rejected", period_label=label)
    status = {(r.unit_code, r.month): r.status for r in facts.reports}
    items = []
    for errors in files:
        first = errors[0]
        outstanding = status.get((first.unit_code, first.month)) == "退回"
        items.append(
            config.text(
                "text",
                "rejected_file",
                unit=first.unit_name,
                month=month_label(first.month),
                errors=len(errors),
                example=first.message,
                state=config.text("text", "rejected_outstanding" if outstanding else "rejected_corrected"),
            )
        )
    return config.text(
        "text", "rejected", period_label=label, rejected_files=len(files), rejected_list=LIST_JOIN.join(items)
    )


def _late(report: Report, config: NoticeConfig) -> str:
    received = date_text(report.received_at.date()) if report.received_at else "—"
    return config.text(
        "text",
        "late_report",
        unit=report.unit_name,
        month=month_label(report.month),
        received=received,
        deadline=date_text(report.deadline),
    )


def timeliness_paragraph(facts: NoticeFacts, config: NoticeConfig) -> str:
    late = [r for r in facts.reports if r.status == "逾期"]
    missing = [r for r in facts.reports if r.status == "未报"]
    if late:
        text = config.text("text", "late", late_list=LIST_JOIN.join(_late(r, config) for r in late))
    else:
        text = config.text("text", "no_late")
    if missing:
        listed = LIST_JOIN.join(
            config.text("text", "missing_report", unit=r.unit_name, month=month_label(r.month))
            for r in missing
        )
        text += config.text("text", "missing", missing_list=listed)
    return text


def problem_words(rule_id: str, example: str) -> str:
    """A validation rule as a kind of problem: its message with the figures left out (调解成功数（…）大于
    调解民间纠纷数（…）); an unknown rule is described by one of its messages."""
    rule = rules().get(rule_id)
    if rule is None:
        return example
    text = re.sub(r"\{[^}]*\}", "…", rule.message)
    return re.sub(r"…(\s*…)+", "…", text).strip()


def recurring_problems(facts: NoticeFacts, config: NoticeConfig) -> list[tuple[str, list[Finding]]]:
    """Rules found in at least ``min_files`` files since January, most files first (at most
    ``max_listed``): (rule_id, one finding per file)."""
    per_rule: dict[str, dict[str, Finding]] = defaultdict(dict)
    for finding in facts.findings:
        per_rule[finding.rule_id].setdefault(finding.sha256, finding)
    least, most = int(config.value("recurring", "min_files")), int(config.value("recurring", "max_listed"))
    found = [(rule, list(files.values())) for rule, files in per_rule.items() if len(files) >= least]
    found.sort(key=lambda item: (-len(item[1]), item[0]))
    return found[:most]


def recurring_paragraph(facts: NoticeFacts, config: NoticeConfig) -> str:
    year, label = facts.period.year, facts.period.label
    found = recurring_problems(facts, config)
    if not found:
        return config.text("text", "no_recurring", year=year, period_label=label)
    problems = LIST_JOIN.join(
        config.text(
            "text",
            "recurring_problem",
            problem=problem_words(rule_id, files[0].message),
            rule_id=rule_id,
            count=len(files),
            units=_names(dict.fromkeys(f.unit_name for f in files)),
        )
        for rule_id, files in found
    )
    return config.text("text", "recurring", year=year, period_label=label, problems=problems)


# --------------------------------------------------------------------------------------------------
# 四、下步要求, the opening and a correction's lead


def requirement_paragraphs(facts: NoticeFacts, config: NoticeConfig) -> list[str]:
    following = shift_month(facts.period.last, 1)
    return config.texts(
        "requirements",
        "paragraphs",
        next_month_label=period_label(following),
        next_deadline=date_text(deadline(following)),
        veto_grade=catalogue.veto_grade(),
    )


def correction_paragraph(correction: CorrectionFacts, config: NoticeConfig) -> str:
    reasons = [
        config.text("text", "correction_reason", unit=unit, month=month_label(month), change=change)
        for unit, month, change in correction.changes
    ]
    if correction.targets_loaded is not None:
        # The corrected notice had no scores at all: nobody "moved", every unit is scored for the first time.
        reasons.append(config.text("text", "correction_targets_loaded", year=correction.targets_loaded))
        moves = config.text("text", "correction_first_scores")
    else:
        moves = _correction_moves(correction, config)
    return config.text(
        "text",
        "correction",
        original_date=correction.original_date,
        original_title=correction.original_title,
        original_number=correction.original_number,
        reasons=LIST_JOIN.join(reasons) or config.text("text", "correction_rules"),
        moves=moves,
    )


def _correction_moves(correction: CorrectionFacts, config: NoticeConfig) -> str:
    return CLAUSE_JOIN.join(
        config.text(
            "text",
            "correction_move",
            unit=unit,
            old_rank=old_rank if old_rank is not None else "—",
            old_score=score_text(old_score) if old_score is not None else "—",
            new_rank=new_rank if new_rank is not None else "—",
            new_score=score_text(new_score) if new_score is not None else "—",
        )
        for unit, old_rank, old_score, new_rank, new_score in correction.moves
    ) or config.text("text", "correction_no_move")


def title_of(facts: NoticeFacts, config: NoticeConfig, correction: bool = False) -> str:
    key = "correction_title" if correction else "title"
    return config.text("document", key, period_label=facts.period.label, prefecture=catalogue.prefecture())


def write_body(
    facts: NoticeFacts, config: NoticeConfig, correction: CorrectionFacts | None = None
) -> tuple[str, list[Block]]:
    """The title and the body, 开头 to 特此通报, in order."""

    def heading(key: str) -> Block:
        return Block("heading", config.text("headings", key))

    def paragraph(text: str, lead_key: str | None = None) -> Block:
        return Block("paragraph", text, config.text("headings", lead_key) if lead_key else "")

    period = facts.period
    blocks = []
    if correction is not None:
        blocks.append(paragraph(correction_paragraph(correction, config)))
    else:
        blocks.append(
            paragraph(
                config.text(
                    "text",
                    "opening" if facts.scored else "opening_not_scored",
                    year=period.year,
                    period_label=period.label,
                    basis=period.basis,
                    prefecture=catalogue.prefecture(),
                )
            )
        )
    if facts.scored:
        results = [
            paragraph(grades_paragraph(facts, config), "grades"),
            paragraph(ranking_paragraph(facts, config), "ranking"),
            paragraph(targets_paragraph(facts, config), "targets"),
        ]
    else:  # the year's targets are not loaded: no score, grade or rank is written, and it says why
        results = [paragraph(config.text("text", "not_scored", year=period.year, period_label=period.label))]
    blocks += [
        heading("basic"),
        paragraph(basic_paragraph(facts, config)),
        heading("results"),
        *results,
        heading("problems"),
        paragraph(rejected_paragraph(facts, config), "rejected"),
        paragraph(timeliness_paragraph(facts, config), "timeliness"),
        paragraph(recurring_paragraph(facts, config), "recurring"),
        heading("requirements"),
        *(paragraph(text) for text in requirement_paragraphs(facts, config)),
        paragraph(config.text("text", "closing")),
    ]
    return title_of(facts, config, correction is not None), blocks
