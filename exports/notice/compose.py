"""A notice put together: the marts' prose, the office's furniture, and the 发文字号 and date it bears.

``compose`` is the one place that decides what a draft shows and what an issued notice shows: a draft
says 草稿 where the 份号 goes and at the head of every page, and leaves the sequence of its 发文字号 and
the day of its 成文日期 blank for the office to fill by issuing it.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from base import catalogue
from base.calendar import date_text
from exports.notice.config import NoticeConfig
from exports.notice.facts import NoticeFacts
from exports.notice.layout import NoticeDocument
from exports.notice.prose import CorrectionFacts, write_body
from exports.notice.register import document_number

DRAFT_MARK = "草稿"
DRAFT_HEAD = "草稿 · 未经签发，不得印发"
_SHEET = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}sheet"


def issuer_code(config: NoticeConfig) -> str:
    prefecture = catalogue.prefecture()
    return config.text("document", "issuer_code", prefecture=prefecture, prefecture_initial=prefecture[:1])


def workbook_tables(workbook: Path) -> list[str]:
    """The visible sheets of the bulletin workbook, in order (read from its workbook.xml alone)."""
    with zipfile.ZipFile(workbook) as archive:
        root = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    return [s.get("name") for s in root.iter(_SHEET) if s.get("state", "visible") == "visible"]


def attachment_names(workbook: Path | None, facts: NoticeFacts, config: NoticeConfig) -> list[str]:
    if workbook is None:
        return []
    leave_out = set(config.value("document", "attachment_leave_out"))
    return [
        config.text("document", "attachment", period_label=facts.period.label, sheet=sheet)
        for sheet in workbook_tables(workbook)
        if sheet not in leave_out
    ]


def compose(
    facts: NoticeFacts,
    config: NoticeConfig,
    *,
    workbook: Path | None,
    sequence: int | None,
    issued_on: dt.date | None,
    year: int,
    correction: CorrectionFacts | None = None,
    created: dt.datetime | None = None,
) -> NoticeDocument:
    """The document: a draft when ``sequence`` is None (no number, no date), else the issued notice."""
    office = catalogue.office_name()
    code = issuer_code(config)
    draft = sequence is None
    number = f"{code}〔{year}〕  号" if draft else document_number(code, year, sequence)
    title, blocks = write_body(facts, config, correction)
    date = f"{year}年  月  日" if draft or issued_on is None else date_text(issued_on)
    properties = {
        "title": title,
        "subject": f"{facts.period.label}社会治安综合治理考评排名",
        "keywords": number,
        "category": DRAFT_MARK if draft else "正式文件",
        "comments": f"附件为同期排名通报工作簿：{workbook.name}" if workbook else "",
    }
    return NoticeDocument(
        masthead=config.text("document", "masthead", office_name=office),
        number=number,
        title=title,
        addressees=config.text("document", "addressees").rstrip("：:") + "：",
        blocks=blocks,
        attachments=attachment_names(workbook, facts, config),
        signatory=config.text("document", "signatory", office_name=office),
        date=date,
        copy_to=config.text("document", "copy_to", office_name=office).rstrip("。"),
        printed_by=config.text("document", "printed_by", office_name=office),
        printed_on=f"{date}印发",
        draft_mark=DRAFT_MARK if draft else "",
        running_head=DRAFT_HEAD if draft else "",
        properties=properties,
        created=created,
        read_only=not draft,
    )
