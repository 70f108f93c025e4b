"""The answer to a file received before: when, under which name, and what became of it then.

The same bytes sent again are not read or stored again (status ``duplicate``), but a bare "duplicate"
leaves the county guessing whether its figures count. The answer says, in Chinese, when the office
first received those bytes and under which name, and what intake did with them: accepted as version N
(and whether a later version has since replaced it), or sent back, with the findings of then repeated
in ``errors``. It is built from the file's result record (``ingest.results``); a file taken in before
records existed is answered from the raw tables, which hold the same facts (``raw.submissions`` is
one row per distinct content, with the name and time it was first received; ``raw.findings``).
"""

from __future__ import annotations

from base import calendar, catalogue, layout
from ingest.archive import Receipt
from ingest.results import FileResult

# What became of the file then, by its status then.
_ACCEPTED = {"accepted": "已接收", "accepted_with_warnings": "已接收（有提示）"}


def repeat_result(receipt: Receipt, earlier: FileResult | None, counted_version: int | None) -> FileResult:
    """The ``duplicate`` answer to ``receipt``, whose bytes were received before as ``earlier``;
    ``counted_version`` is the version of the same unit and period that counts now (the newest
    accepted), None if none does."""
    if earlier is None:  # the warehouse knows the bytes but holds no row for them: say what is known
        return FileResult(
            receipt.file_name,
            "duplicate",
            receipt.sha256,
            received_at=receipt.received_at,
            message="本文件与此前收到的文件内容完全相同，不再重复处理；当时的处理结果未找到记录，请与地区综治办联系。",
        )
    return FileResult(
        file=receipt.file_name,
        status="duplicate",
        sha256=receipt.sha256,
        kind=earlier.kind,
        unit_code=earlier.unit_code,
        period=earlier.period,
        version=earlier.version,
        errors=list(earlier.errors),
        received_at=receipt.received_at,
        message=_message(earlier, counted_version),
    )


def _message(earlier: FileResult, counted_version: int | None) -> str:
    when = calendar.date_text(calendar.local_time(earlier.received_at)) if earlier.received_at else "此前"
    first = f"本文件与{when}收到的「{earlier.file}」内容完全相同，不再重复处理。"
    if earlier.status == "rejected":
        errors = sum(f["severity"] == "error" for f in earlier.errors)
        return (
            f"{first}该文件当时已退回（{errors} 处错误，原因见下），原样再次报送仍不会被接收；"
            "请按退回原因修改后重新报送。"
        )
    what = _what(earlier)
    status = _ACCEPTED.get(earlier.status, earlier.status)
    then = f"{first}该文件当时{status}，为{what}第 {earlier.version} 版。"
    if counted_version and earlier.version and counted_version > earlier.version:
        return f"{then}此后又收到第 {counted_version} 版，现以第 {counted_version} 版为准。"
    return f"{then}现仍以该版为准，无需再次报送。"


def _what(result: FileResult) -> str:
    """'大方县2022年1月月报' or '2023年目标管理责任书'."""
    if result.kind == "targets":
        return f"{result.period or ''}年{layout.TARGETS_SHEET}"
    unit = catalogue.unit_by_code().get(result.unit_code or "")
    period = calendar.period_label(result.period) if result.period else ""
    return f"{unit.name if unit else ''}{period}月报"
