"""The office's calendar before the year's targets are signed (issue 14 item 4), as Dagster runs it: the
scheduled January bulletin is published without scores (it failed before: "没有…考评得分"), and when the
targets workbook lands in the inbox, the inbox sensor republishes the year's months already due: January
as 更正1 with scores, February for the first time. 大方县 and 赫章县 report December 2021 to February 2022."""

import datetime as dt
import json
import time
from pathlib import Path

import openpyxl
import pytest
from docx import Document

from base.calendar import office_zone
from exports.template import write_targets_workbook
from orchestration.cli import main
from orchestration.defs.intake.sensors import run_request_for
from orchestration.inbox import archived_hashes, scan_inbox
from orchestration.publish import default_bulletin_periods
from orchestration.runs import execute_job
from sampledata.demo import TARGETS_FILE, demo_targets
from tests.orchestration.conftest import SMALL_UNITS, TAKE_EVERYTHING, definitions_for, instance_for
from tests.orchestration.demo_files import demo_file, write_demo_file

pytestmark = pytest.mark.e2e

MONTHS = ("2021-12", "2022-01", "2022-02")
NOT_LOADED = "2022年度目标管理责任书尚未载入，本期不计算综合得分，不评定等级，不排综合名次。"
TARGETS_ARRIVE = dt.datetime(2022, 3, 10, 9, 0)  # after February's bulletin was due (6 March, 08:00)


def bulletins(folder) -> list[str]:
    return sorted(p.name for p in folder.glob("*.xlsx"))


def ranking_changes(path) -> dict[str, str]:
    """名次变化 by unit on the 综合排名 sheet."""
    ws = openpyxl.load_workbook(path)["综合排名"]
    return {row[1]: row[4] for row in ws.iter_rows(min_row=5, values_only=True) if isinstance(row[0], int)}


def test_scheduled_bulletin_before_the_targets_then_the_sensor_publishes_the_correction(new_home, capsys):
    home = new_home
    for unit in SMALL_UNITS:
        for month in MONTHS:
            item = demo_file(unit, month)
            write_demo_file(home.inbox / Path(item.relpath).parent, item)
    definitions = definitions_for(home)
    with instance_for(home) as instance:
        january = execute_job(
            definitions, "monthly_bulletin_job", instance, partition_key="2022-01", run_config=TAKE_EVERYTHING
        )
    assert january.success
    (materialised,) = january.asset_materializations_for_node("monthly_bulletin")
    assert materialised.metadata["scores_computed"].value == {"2022-01": False}
    out = home.reports / "2022-01"
    assert bulletins(out) == ["社会治安综合治理考评排名通报_2022年1月.xlsx"]
    workbook = openpyxl.load_workbook(out / "社会治安综合治理考评排名通报_2022年1月.xlsx")
    assert workbook.sheetnames == ["综合排名", "指标排名", "填报情况", "数据质量", "说明", "清单"]
    assert workbook["综合排名"]["A4"].value == NOT_LOADED
    manifest = json.loads((out / "社会治安综合治理考评排名通报_2022年1月.manifest.json").read_text("utf-8"))
    assert (manifest["scores_computed"], manifest["scores_note"]) == (False, NOT_LOADED)
    draft = [p.text for p in Document(str(out / "社会治安综合治理考评排名通报_2022年1月.docx")).paragraphs]
    assert draft[draft.index("二、考评结果") + 1] == (
        "2022年度目标管理责任书尚未载入，2022年1月不计算综合得分，不评定等级，不排综合名次。各单位重点指标排名"
        "见附件。目标管理责任书载入后，将重新通报本期考评结果。"
    )
    # `pingan report` without a period takes the latest month with reports, scored or not.
    assert default_bulletin_periods(home) == ["2022-02"]
    # By hand, `pingan report --period 2022-01` succeeds (it failed: "没有2022年1月的考评得分") and says why
    # there is no ranking; the same inputs keep the scheduled bulletin.
    capsys.readouterr()
    assert main(["report", "--period", "2022-01", "--home", str(home.root), "--json"]) == 0
    said = capsys.readouterr()
    (answer,) = json.loads(said.out)
    assert (answer["period"], answer["correction"], answer["unchanged"], answer["scored"]) == (
        "2022-01",
        None,
        True,
        False,
    )
    assert (
        f"注意：{NOT_LOADED}本通报只含重点指标排名、报送情况和数据质量；目标管理责任书接收后再运行 pingan report，"
        "将发布本期的更正通报。"
    ) in said.err.splitlines()

    # The targets workbook arrives on 10 March: the sensor republishes January and February.
    write_targets_workbook(home.inbox / TARGETS_FILE, 2022, demo_targets(2022))
    scan = scan_inbox(
        home.inbox, None, now=time.time(), settle_seconds=0, archived=archived_hashes(home.archive)
    )
    assert [(f.kind, f.period) for f in scan.ready] == [("targets", "2022")]
    request = run_request_for(scan, TARGETS_ARRIVE.replace(tzinfo=office_zone()))
    assert request.job_name == "monthly_bulletin_job"
    assert (
        request.tags["dagster/asset_partition_range_start"],
        request.tags["dagster/asset_partition_range_end"],
    ) == ("2022-01", "2022-02")
    with instance_for(home) as instance:
        republished = execute_job(
            definitions,
            request.job_name,
            instance,
            run_config=taken_at_once(request.run_config),
            tags=request.tags,
        )
    assert republished.success
    assert bulletins(out) == [
        "社会治安综合治理考评排名通报_2022年1月.xlsx",
        "社会治安综合治理考评排名通报_2022年1月_更正1.xlsx",
    ]
    corrected = out / "社会治安综合治理考评排名通报_2022年1月_更正1.xlsx"
    assert openpyxl.load_workbook(corrected)["更正说明"]["A4"].value == (
        "本通报更正原通报《社会治安综合治理考评排名通报_2022年1月.xlsx》（数据截止 "
        f"{manifest['as_of'][:4]}年{int(manifest['as_of'][5:7])}月{int(manifest['as_of'][8:10])}日 "
        f"{manifest['as_of'][11:16]}）。原通报发布后，2022年度目标管理责任书已载入，现计算各单位综合得分并排名，"
        "原通报同时保留备查。"
    )
    # December 2021 was reported but never assessed: no unit is new in January.
    changes = ranking_changes(corrected)
    assert len(changes) == 9 and set(changes.values()) == {"上年未考评"}
    february = home.reports / "2022-02" / "社会治安综合治理考评排名通报_2022年2月.xlsx"
    assert bulletins(february.parent) == [february.name]
    february_changes = ranking_changes(february)
    assert len(february_changes) == 9 and not {"新", "上年未考评"} & set(february_changes.values())


def taken_at_once(run_config: dict) -> dict:
    """The sensor's run config with no settle wait: the file was written a moment ago, in the test."""
    config = run_config["ops"]["raw_tables"]["config"]
    return {"ops": {"raw_tables": {"config": {**config, "settle_seconds": 0}}}}
