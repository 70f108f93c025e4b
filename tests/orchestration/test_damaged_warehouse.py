"""A damaged, missing or stale warehouse file: every command says what happened and what to run, and
versions continue the archive's (issue 19, item 8).

Regression: a corrupted warehouse gave raw DuckDB tracebacks from ingest and status and dbt's IO error
from report, none naming `pingan rebuild`; a deleted one made ingest start afresh and tell a county
"v1" for what the archive knew was its version 2, and report exited with the usage-error code 2."""

import shutil

import duckdb
import pytest

from base.settings import Home, Settings
from orchestration.cli import main
from orchestration.intake import rebuild
from tests.ingest.workbooks import consistent_values, write_report


@pytest.fixture
def home(tmp_path, monkeypatch) -> Home:
    """A home that has taken in 大方县's January report (version 1)."""
    monkeypatch.setenv("PINGAN_INBOX_SETTLE_SECONDS", "0")
    monkeypatch.setenv("PINGAN_BULLETIN_PDF", "0")
    home = Home(tmp_path / "home")
    assert main(["ingest", "--home", str(home.root), str(write_report(tmp_path / "大方县" / "v1.xlsx"))]) == 0
    return home


def second_version(tmp_path):
    return write_report(tmp_path / "大方县" / "v2.xlsx", values=consistent_values() | {"C10": 11})


def run(capsys, *arguments) -> tuple[int, str]:
    capsys.readouterr()
    code = main(list(arguments))
    return code, capsys.readouterr().err


@pytest.mark.parametrize(
    ("damage", "detail"),
    [
        (lambda data: b"\xff" * 4096 + data[4096:], "not a valid DuckDB database file"),
        (lambda data: data[:1000], "Could not read enough bytes"),
        (lambda data: data[:12288] + bytes(range(256)) * ((len(data) - 12288) // 256), "checksum"),
    ],
)
def test_a_damaged_warehouse_is_named_with_what_to_run(home, tmp_path, capsys, damage, detail):
    home.warehouse.write_bytes(damage(home.warehouse.read_bytes()))
    source = second_version(tmp_path)
    for arguments in (
        ["ingest", "--home", str(home.root), str(source)],
        ["status", "--home", str(home.root), "--period", "2022-01"],
        ["report", "--home", str(home.root), "--period", "2022-01"],
    ):
        code, err = run(capsys, *arguments)
        assert code == 1, (arguments, err)
        assert f"数据仓库文件 {home.warehouse} 无法读取，可能已损坏" in err and detail in err
        assert "请运行 pingan rebuild 从归档重建数据仓库（原文件会改名保留），然后再运行本命令。" in err
        assert "Traceback" not in err


def test_a_deleted_warehouse_is_refused_until_rebuilt_and_versions_continue(home, tmp_path, capsys):
    home.warehouse.unlink()
    source = second_version(tmp_path)
    code, err = run(capsys, "ingest", "--home", str(home.root), str(source))
    assert code == 1
    assert f"数据仓库文件 {home.warehouse} 不存在，但归档中已有 1 个文件" in err and "pingan rebuild" in err
    assert not home.warehouse.exists()  # no fresh, empty warehouse left behind to mislead the next command
    for arguments in (["report", "--period", "2022-01"], ["status", "--period", "2022-01"]):
        code, err = run(capsys, *arguments, "--home", str(home.root))
        assert code == 1 and "不存在，但归档中已有 1 个文件" in err, arguments
    rebuild(Settings.from_env(home.root))
    code, err = run(capsys, "ingest", "--home", str(home.root), str(source))
    assert code == 0 and "522422 2022-01 v2" in err


def test_a_warehouse_replaced_by_an_older_copy_is_refused(home, tmp_path, capsys):
    older = tmp_path / "older.duckdb"
    shutil.copyfile(home.warehouse, older)
    assert run(capsys, "ingest", "--home", str(home.root), str(second_version(tmp_path)))[0] == 0
    shutil.copyfile(older, home.warehouse)  # a restore from last week's copy
    third = write_report(tmp_path / "大方县" / "v3.xlsx", values=consistent_values() | {"C10": 12})
    code, err = run(capsys, "ingest", "--home", str(home.root), str(third))
    assert code == 1 and "数据仓库中缺少归档中已接收的 1 个文件" in err and "pingan rebuild" in err
    with duckdb.connect(str(home.warehouse), read_only=True) as connection:
        assert connection.execute("select count(*) from raw.submissions").fetchone() == (1,)
