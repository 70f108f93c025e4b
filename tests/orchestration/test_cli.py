"""The ``pingan`` command line: every verb explains itself in Chinese, templates reopen as what they
say they are, usage mistakes exit 2, and ``docs`` writes into the home."""

import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from base import catalogue, layout
from base.settings import Limits
from ingest.sandbox import read_files
from orchestration.cli import build_parser, main

ROOT = Path(__file__).resolve().parents[2]
VERBS = {"demo", "sample", "template", "ingest", "status", "report", "rebuild", "docs", "ui"}


def verbs() -> list[str]:
    (commands,) = [a for a in build_parser()._actions if a.dest == "command"]
    return sorted(commands.choices)


def test_the_office_verbs_are_all_there():
    assert set(verbs()) >= VERBS  # bench is added by the benchmark work


@pytest.mark.parametrize("verb", verbs())
def test_every_verb_explains_itself_in_chinese(verb):
    completed = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", verb, "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert completed.returncode == 0
    first_line = completed.stdout.split("\n\n")[1].strip()  # the description, after the usage line
    assert "\u4e00" <= first_line[0] <= "\u9fff", first_line  # starts in Chinese
    if verb not in {"sample", "template"}:
        assert "--home" in completed.stdout


def test_template_for_one_unit_reopens_with_its_unit_period_and_townships(tmp_path):
    out = tmp_path / "大方县_2022年01月.xlsx"
    assert main(["template", "--unit", "大方", "--period", "2022-01", "-o", str(out)]) == 0
    workbook = openpyxl.load_workbook(out)
    assert workbook.sheetnames == [
        layout.INSTRUCTIONS_SHEET,
        layout.INFO_SHEET,
        layout.INDICATOR_SHEET,
        layout.TOWNSHIP_SHEET,
    ]
    info = {
        row[0]: row[1] for row in workbook[layout.INFO_SHEET].iter_rows(min_row=2, values_only=True) if row[0]
    }
    assert (info["单位名称"], info["行政区划代码"], info["报送期间"]) == ("大方县", "522422", "2022-01")
    townships = [r[0] for r in workbook[layout.TOWNSHIP_SHEET].iter_rows(min_row=3, values_only=True) if r[0]]
    assert townships[: len(catalogue.townships()["522422"])] == list(catalogue.townships()["522422"])
    (outcome,) = read_files([out], Limits.from_env())  # and pingan's own reader knows what it is
    assert (outcome.parsed.unit_code, outcome.parsed.period) == ("522422", "2022-01")


def test_template_for_all_units_and_the_targets_workbook(tmp_path, capsys):
    assert main(["template", "--all", "--period", "2022-02", "--out", str(tmp_path / "all")]) == 0
    written = capsys.readouterr().out.split()
    assert len(written) == len(catalogue.units())
    assert all(Path(p).exists() and "2022年02月" in Path(p).name for p in written)
    targets = tmp_path / "目标.xlsx"
    assert main(["template", "--targets", "--year", "2022", "-o", str(targets)]) == 0
    assert layout.TARGETS_SHEET in openpyxl.load_workbook(targets).sheetnames


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--unit", "某某县", "--period", "2022-01", "-o", "x.xlsx"], "不认识的单位"),
        (["--unit", "大方县", "--period", "2022-13", "-o", "x.xlsx"], "YYYY-MM"),
        (["--all", "--period", "2022-01"], "--out"),
        (["--targets", "-o", "x.xlsx"], "--year"),
    ],
)
def test_template_usage_mistakes_exit_2_with_a_chinese_reason(
    arguments, message, tmp_path, capsys, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    assert main(["template", *arguments]) == 2
    assert message in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


@pytest.mark.e2e
def test_docs_are_generated_into_the_home(built_home, tmp_path, capsys):
    from tests.orchestration.conftest import copy_home

    home = copy_home(built_home.home, tmp_path / "home")
    assert main(["docs", "--home", str(home.root)]) == 0
    index = Path(capsys.readouterr().out.strip())
    assert index == home.docs / "index.html" and index.exists()
    assert "fct_unit_scores" in (home.docs / "catalog.json").read_text(encoding="utf-8")


def test_ingest_answers_a_repeat_in_words_on_the_terminal_and_in_json(tmp_path, capsys):
    import json
    import shutil

    from tests.ingest.workbooks import write_report

    home = tmp_path / "home"
    source = write_report(tmp_path / "大方_2022年01月_综治月报.xlsx")
    assert main(["ingest", "--home", str(home), str(source)]) == 0
    capsys.readouterr()
    copy = shutil.copyfile(source, tmp_path / "再次报送.xlsx")
    assert main(["ingest", "--home", str(home), str(copy)]) == 0
    lines = capsys.readouterr().err.splitlines()
    at = next(
        n
        for n, line in enumerate(lines)
        if line.split() == ["重复文件（已接收过）", "再次报送.xlsx", "522422", "2022-01", "v1"]
    )
    assert lines[at + 1].startswith("    本文件与") and lines[at + 1].endswith(
        "收到的「大方_2022年01月_综治月报.xlsx」内容完全相同，不再重复处理。"
        "该文件当时已接收，为大方县2022年1月月报第 1 版。现仍以该版为准，无需再次报送。"
    )
    assert main(["ingest", "--home", str(home), "--json", str(copy)]) == 0
    (answer,) = json.loads(capsys.readouterr().out)
    assert (answer["status"], answer["message"]) == ("duplicate", lines[at + 1].strip())


def test_ingest_prints_county_text_with_controls_escaped_and_long_values_cut(tmp_path, capsys):
    """A file name and a cell holding terminal control sequences: the terminal shows them as escapes, and
    a long value is cut; ``--json`` keeps every character (escaped by JSON)."""
    import json

    from orchestration.cli import TERMINAL_MESSAGE_LIMIT
    from tests.ingest.workbooks import consistent_values, rewrite_xml, write_report

    name = "大方\x1b[2J\x07" + "a" * 220 + ".xlsx"
    typed = "12\x1b]0;owned\x07" + "9" * 600
    written = write_report(
        tmp_path / "r.xlsx", values=consistent_values() | {"C01": "12ESC]0;ownedBEL" + "9" * 600}
    )
    source = rewrite_xml(written, tmp_path / name, {"ESC": "_x001B_", "BEL": "_x0007_"})  # OOXML escapes
    assert main(["ingest", "--home", str(tmp_path / "home"), str(source)]) == 1
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x07" not in err
    (first,) = [line for line in err.splitlines() if line.startswith("退回")]
    assert "大方\\x1b[2J\\x07" + "a" * 50 in first and "…" in first and ".xlsx" not in first
    (val01,) = [line for line in err.splitlines() if " VAL01 " in line]
    assert "12\\x1b]0;owned\\x07999" in val01
    assert len(val01.split(" VAL01 ", 1)[1].split(" ", 1)[1]) == TERMINAL_MESSAGE_LIMIT
    assert main(["ingest", "--home", str(tmp_path / "home2"), "--json", str(source)]) == 1
    (answer,) = json.loads(capsys.readouterr().out)
    assert answer["file"] == name
    assert any(typed in item["message"] for item in answer["errors"])
