"""A file whose bytes were received before is answered: when, under which name, what became of it then.

The earlier files are written by openpyxl (.xlsx), xlwt (.xls) and odfpy (.ods); the answers are
checked word for word, from the result records and, for files taken in before records existed, from
the raw tables alone.
"""

import datetime as dt
import shutil
from zoneinfo import ZoneInfo

import duckdb
import pytest

from base import catalogue
from base.settings import Home
from ingest.arrivals import state_arrivals
from ingest.intake import ingest_files
from ingest.results import read_record, results_folder
from tests.ingest.workbooks import consistent_values, write_report, write_report_in

OFFICE = ZoneInfo(catalogue.settings()["timezone"])


def received(home, path, when: str):
    """State that ``path`` reached the office at ``when`` (office wall clock), as the office does for a
    file that came another way (``ingest.arrivals``): the arrival intake then gives it."""
    moment = dt.datetime.fromisoformat(when).replace(tzinfo=OFFICE)
    state_arrivals(Home(home).archive, [(path, moment)], "测试：该文件在此时收到", stated_by="test")
    return path


def again(path, tmp_path, name: str):
    """The same bytes under another name, received now."""
    copy = tmp_path / "again" / name
    copy.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, copy)
    return copy


@pytest.fixture(scope="module")
def taken(tmp_path_factory):
    """A home that took in: 大方县's January (accepted), 金沙县's January (rejected), 织金县's January
    twice (v1, then v2 replacing it)."""
    root = tmp_path_factory.mktemp("repeats")
    earlier = {  # name: (writer, unit, file name, changed figures, received)
        "accepted": (".xlsx", "大方县", "大方_2022年01月_综治月报", {}, "2022-02-03T09:15:00"),
        "rejected": (".xls", "金沙县", "金沙_2022年01月_综治月报", {"D03": 190}, "2022-02-04T10:30:00"),
        "replaced": (".ods", "织金县", "织金_2022年01月_综治月报", {}, "2022-02-05T08:00:00"),
        "replacing": (".ods", "织金县", "织金_2022年01月_综治月报_更正", {"C10": 11}, "2022-02-06T08:00:00"),
    }
    files = {
        name: received(
            root / "home",
            write_report_in(
                suffix, root / "in" / unit / stem, unit=unit, values=consistent_values() | changed
            ),
            when,
        )
        for name, (suffix, unit, stem, changed, when) in earlier.items()
    }
    results = ingest_files(list(files.values()), root / "home")
    assert [(r.status, r.version) for r in results] == [
        ("accepted", 1),
        ("rejected", 1),
        ("accepted", 1),
        ("accepted", 2),
    ]
    return root / "home", files, dict(zip(files, results, strict=True))


def submissions(home) -> int:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as connection:
        return connection.execute("select count(*) from raw.submissions").fetchone()[0]


def test_repeat_of_an_accepted_file_says_when_under_which_name_and_which_version(taken, tmp_path):
    home, files, first = taken
    (result,) = ingest_files([again(files["accepted"], tmp_path, "重新报送.xlsx")], home)
    assert (result.file, result.status, result.unit_code, result.period, result.version) == (
        "重新报送.xlsx",
        "duplicate",
        "522422",
        "2022-01",
        1,
    )
    assert result.message == (
        "本文件与2022年2月3日 09:15收到的「大方_2022年01月_综治月报.xlsx」内容完全相同，不再重复处理。"
        "该文件当时已接收，为大方县2022年1月月报第 1 版。现仍以该版为准，无需再次报送。"
    )
    assert result.errors == [] and result.as_dict()["message"] == result.message
    assert submissions(home) == 4
    assert read_record(Home(home), result.sha256) == first["accepted"], "the first answer stays as it was"


def test_repeat_of_a_rejected_file_repeats_the_findings_of_then(taken, tmp_path):
    home, files, first = taken
    (result,) = ingest_files([again(files["rejected"], tmp_path, "金沙1月.xls")], home)
    assert result.status == "duplicate"
    assert result.message == (
        "本文件与2022年2月4日 10:30收到的「金沙_2022年01月_综治月报.xls」内容完全相同，不再重复处理。"
        "该文件当时已退回（1 处错误，原因见下），原样再次报送仍不会被接收；请按退回原因修改后重新报送。"
    )
    assert result.errors == first["rejected"].errors
    error = result.as_dict()["errors"][0]
    assert (error["rule"], error["sheet"], error["cell"], error["message"]) == (
        "CON01",
        "指标填报",
        "D15",
        "调解成功数（190）大于调解民间纠纷数（100）",
    )


def test_repeat_of_a_replaced_version_names_the_version_that_counts(taken, tmp_path):
    home, files, _ = taken
    (result,) = ingest_files([again(files["replaced"], tmp_path, "织金.ods")], home)
    assert result.message == (
        "本文件与2022年2月5日 08:00收到的「织金_2022年01月_综治月报.ods」内容完全相同，不再重复处理。"
        "该文件当时已接收，为织金县2022年1月月报第 1 版。此后又收到第 2 版，现以第 2 版为准。"
    )


def test_repeat_without_a_record_is_answered_from_the_raw_tables(taken, tmp_path):
    # A home from before result records existed: the warehouse alone holds what happened.
    home, files, _ = taken
    with_records = {
        name: ingest_files([again(files[name], tmp_path, f"{name}{files[name].suffix}")], home)[0]
        for name in ("rejected", "replaced")
    }
    older = tmp_path / "older"
    shutil.copytree(home, older)
    shutil.rmtree(results_folder(Home(older)))
    for name, expected in with_records.items():
        (result,) = ingest_files([again(files[name], tmp_path, f"{name}{files[name].suffix}")], older)
        assert (result.status, result.version, result.message) == (
            "duplicate",
            expected.version,
            expected.message,
        )
        assert result.errors == expected.errors


def test_same_bytes_twice_in_one_batch_are_answered_with_the_first(tmp_path):
    home = tmp_path / "home"
    source = received(home, write_report(tmp_path / "in" / "a.xlsx"), "2022-02-03T09:15:00")
    copy = shutil.copyfile(
        source, tmp_path / "in" / "b.xlsx"
    )  # the statement is the bytes': it holds for both
    first, second = ingest_files([source, copy], home)
    assert (first.status, second.status) == ("accepted", "duplicate")
    assert second.message == (
        "本文件与2022年2月3日 09:15收到的「a.xlsx」内容完全相同，不再重复处理。"
        "该文件当时已接收，为大方县2022年1月月报第 1 版。现仍以该版为准，无需再次报送。"
    )
