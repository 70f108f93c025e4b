"""The ``pingan`` command: the office's verbs, in plain words.

Quick paths (template, ingest, status, report, rebuild, docs) call ingest/, exports/ and dbt directly, so
a county's file gets its answer in seconds without starting Dagster; ``demo`` runs the jobs as Dagster
runs them (the same definitions the UI, the sensor and the schedules use). Results go to stdout (JSON
with ``--json``); progress and messages go to stderr. Exit codes: 0 done, 1 something was refused or
failed (e.g. a rejected file), 2 usage error.

This module is the composition root of every verb: it is the one place below nothing that imports the
county portal (``portal``: ``pingan portal``, ``pingan users``, ``pingan serve``, the demo's accounts).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
import warnings
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from base.outside_text import terminal_text
from base.settings import Home, Settings

# A finding's message quotes the county's value: on a terminal it is cut to this many characters (the
# feedback workbook and --json keep it whole).
TERMINAL_MESSAGE_LIMIT = 400

STATUS_TEXT = {
    "accepted": "已接收",
    "accepted_with_warnings": "已接收（有提示）",
    "rejected": "退回",
    "duplicate": "重复文件（已接收过）",
    "not_taken": "未接收",
}


class UsageError(Exception):
    """A mistake in how the command was called (exit code 2)."""


def _say(message: str) -> None:
    """A line for the operator on stderr; any control character in it (from a county's file name or
    cell, quoted in a message) is shown as an escape, never acted on by the terminal."""
    print(terminal_text(message, limit=None, keep_newlines=True), file=sys.stderr, flush=True)


@contextlib.contextmanager
def _step(message: str) -> Iterator[None]:
    """Progress on stderr: what is being done, then how long it took."""
    _say(f"{message} …")
    started = time.monotonic()
    yield
    _say(f"  完成（{time.monotonic() - started:.0f} 秒）")


def _settings(args: argparse.Namespace, *, dbt: bool = False) -> Settings:
    """The settings of the home the command works on, with the home prepared (and dbt's manifest when
    the command loads the Dagster definitions)."""
    from orchestration.prepare import prepare_home

    return prepare_home(Settings.from_env(args.home), dbt=dbt)


def _pad(text: str, width: int) -> str:
    """Left-align Chinese text in a terminal: a CJK character takes two columns."""
    import unicodedata

    used = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(1, width - used)


def _print_json(value: object) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2))


def command_sample(args: argparse.Namespace) -> int:
    from sampledata.demo import write_demo_files

    with _step("正在生成演示工作簿"):
        files = write_demo_files(Path(args.out))
    _say(f"已生成 {len(files)} 个演示工作簿：{Path(args.out).resolve()}")
    return 0


def command_template(args: argparse.Namespace) -> int:
    from base import catalogue, layout
    from base.calendar import parse_month
    from exports.template import write_submission_workbook, write_targets_workbook

    if args.targets:
        if args.year is None or not args.output:
            raise UsageError(
                "目标责任书模板需要 --year 和 -o，例如：pingan template --targets --year 2022 -o 目标.xlsx"
            )
        path = write_targets_workbook(Path(args.output), args.year)
        _say(f"已生成 {args.year} 年目标管理责任书模板：{path}")
        print(path)
        return 0
    if not args.period:
        raise UsageError("请用 --period 指定报送期间，例如 --period 2022-01")
    try:
        parse_month(args.period)
    except ValueError as error:
        raise UsageError(str(error)) from None
    if args.all:
        if not args.out:
            raise UsageError("--all 需要 --out 指定文件夹")
        out = Path(args.out)
        paths = [
            write_submission_workbook(
                out / layout.submission_file_name(unit.short_name, args.period), unit, args.period
            )
            for unit in catalogue.units()
        ]
        _say(f"已为 {len(paths)} 个单位生成 {args.period} 月报模板：{out.resolve()}")
        for path in paths:
            print(path)
        return 0
    if not args.unit or not args.output:
        raise UsageError("请指定 --unit 和 -o（或用 --all --out 文件夹 为所有单位生成）")
    unit = catalogue.resolve_unit(args.unit)
    if unit is None:
        known = "、".join(u.name for u in catalogue.units())
        raise UsageError(f"不认识的单位“{args.unit}”。已知单位：{known}")
    path = write_submission_workbook(Path(args.output), unit, args.period)
    _say(f"已生成 {unit.name} {args.period} 月报模板：{path}")
    print(path)
    return 0


def command_ingest(args: argparse.Namespace) -> int:
    from ingest.receipts import collect_files
    from orchestration.intake import take_in, wait_until_settled
    from orchestration.warehouse import writer_lock

    settings = _settings(args)
    home = settings.home
    paths = [Path(p) for p in args.paths]
    missing = [str(p) for p in paths if not p.exists() and not p.is_symlink()]
    if missing:
        raise UsageError(f"找不到：{', '.join(missing)}")
    arrival = _stated_arrival(args)
    if not args.dry_run:
        wait_until_settled(paths, settings, on_wait=_say)
    count = len(collect_files(paths))
    lock = contextlib.nullcontext() if args.dry_run else writer_lock(settings, on_wait=_say)
    with _step(f"正在接收 {count} 个文件（归档、读取、检查{'' if args.dry_run else '、入库'}）"), lock:
        if arrival is not None:
            _state_arrivals(settings, collect_files(paths), *arrival)
        results = take_in(
            paths,
            settings,
            dry_run=args.dry_run,
            consume_from=home.inbox if not args.dry_run else None,
            progress=_progress_bar("读取"),
            settle_seconds=0 if args.dry_run else settings.settle_seconds,
        )
    if args.json:
        _print_json([r.as_dict() for r in results])
    else:
        for result in results:
            where = " ".join(
                x
                for x in (result.unit_code, result.period, f"v{result.version}" if result.version else "")
                if x
            )
            _say(f"{STATUS_TEXT[result.status]:<12} {terminal_text(result.file)} {where}".rstrip())
            if result.message:
                _say(f"    {terminal_text(result.message, limit=TERMINAL_MESSAGE_LIMIT)}")
            for item in result.errors:
                place = terminal_text("!".join(x for x in (item["sheet"], item["cell"]) if x))
                message = terminal_text(item["message"], limit=TERMINAL_MESSAGE_LIMIT)
                _say(f"    [{item['severity']}] {item['rule_id']} {place} {message}")
    _say_where_quality_docs_are(home)
    _say_if_the_ledger_misses_files(home)
    return 1 if any(r.status in ("rejected", "not_taken") for r in results) else 0


def _stated_arrival(args: argparse.Namespace) -> tuple[object, str] | None:
    """(time, reason) of ``--received-at``/``--reason``, checked before anything is taken in."""
    from base import calendar
    from ingest.arrivals import refusal

    if args.received_at is None:
        if args.reason:
            raise UsageError("--reason 只能与 --received-at 一起使用")
        return None
    if args.dry_run:
        raise UsageError("--received-at 会记入归档，不能与 --dry-run 一起使用")
    try:
        moment = calendar.parse_local_time(args.received_at)
    except ValueError as error:
        raise UsageError(str(error)) from None
    problem = refusal(moment, args.reason)
    if problem:
        raise UsageError(problem)
    return moment, args.reason


def _state_arrivals(settings: Settings, files: list[Path], moment, reason: str) -> None:
    from ingest.arrivals import state_arrivals

    for statement in state_arrivals(settings.home.archive, [(f, moment) for f in files], reason):
        _say(
            f"已登记到达时间：{terminal_text(statement.file_name)} {statement.received_at.replace('T', ' ')}"
            f"（{statement.stated_by} 登记，理由：{statement.reason}）"
        )


def _say_if_the_ledger_misses_files(home: Home) -> None:
    from ingest.archive import audit_ledger

    message = audit_ledger(home.archive).message
    if message:
        _say(f"注意：{message}")


def _say_where_quality_docs_are(home: Home) -> None:
    from base.offline_pages import external_resources

    if home.quality_index.exists():
        _say(f"数据质量检查报告（Great Expectations Data Docs，用浏览器打开）：{home.quality_index}")
        if external_resources(home.quality_index.read_text(encoding="utf-8")):
            _say(
                "  注意：网页所需的脚本和样式未随 pingan 安装（运行 make 安装），没有互联网时该报告显示不全。"
            )


def command_status(args: argparse.Namespace) -> int:

    from base import calendar
    from orchestration.status import submission_status
    from orchestration.warehouse import reader_lock

    settings = _settings(args)
    home = settings.home
    period = args.period
    if not period:
        period = calendar.previous_month(calendar.now())
    try:
        with reader_lock(settings, on_wait=_say):  # an intake or a build may hold the file: wait
            status = submission_status(home, period)
    except ValueError as error:
        raise UsageError(str(error)) from None
    if args.json:
        _print_json(status.as_dict())
        return 0
    print(f"{calendar.period_label(period)} 报送情况（截止 {status.deadline:%Y-%m-%d}）")
    if status.source == "none":
        print("数据仓库尚未建立：以下按未收到任何报表计。接收报表后运行 pingan report 更新。")
    elif status.files_since_build:
        print(
            f"注意：数据仓库上次更新后又收到 {status.files_since_build} 个文件，以下情况尚未包含它们；"
            "运行 pingan report 更新后再查看。"
        )
    for unit in status.units:
        detail = f"v{unit.version} {unit.received_at or ''}" if unit.version else ""
        if unit.status == "退回":
            detail = unit.reason or f"{unit.errors} 处错误"
        print(f"  {_pad(unit.unit_name, 24)}{unit.status}  {detail}".rstrip())
    outstanding = status.outstanding
    if outstanding:
        print("未报或被退回：" + "、".join(f"{u.unit_name}（{u.status}）" for u in outstanding))
    else:
        print("各单位均已报送。")
    return 0


def command_report(args: argparse.Namespace) -> int:
    from orchestration.build_inputs import UNCHANGED, partial_build_note
    from orchestration.publish import MartsNotCurrent, publish_bulletins
    from orchestration.warehouse import WarehouseBuildError, WarehouseBusy, build_warehouse, writer_lock

    settings = _settings(args)
    home = settings.home
    try:
        # One turn from the build until the bulletins and their warnings are out: an intake waits for
        # it, instead of slipping in between and making the warnings fail after the bulletin was written.
        with writer_lock(settings, on_wait=_say):
            with _step("正在更新数据仓库（dbt build）"):
                built = build_warehouse(settings)
            if built.unchanged:
                _say(UNCHANGED)
            elif built.changed_months:
                _say(partial_build_note(built.changed_months))
            if args.unit:
                return _write_unit_extract(settings, args)
            with _step("正在生成通报"):
                written = publish_bulletins(settings, [args.period] if args.period else None)
            for bulletin in written:
                _warn_of_rejections(home, bulletin.period)
    except (WarehouseBuildError, WarehouseBusy, MartsNotCurrent) as error:
        _say(str(error))
        return 1
    except ValueError as error:
        raise UsageError(str(error)) from None
    if args.json:
        _print_json(
            [
                {
                    "period": b.period,
                    "path": str(b.path),
                    "manifest": str(b.manifest_path),
                    "correction": b.correction,
                    "unchanged": b.reused,
                    "scored": b.scored,
                }
                for b in written
            ]
        )
    for bulletin in written:
        what = (
            "（与已发布的相同，未重写）"
            if bulletin.reused
            else f"（更正{bulletin.correction}）"
            if bulletin.correction
            else ""
        )
        _say(f"通报{what}：{bulletin.path}")
        if not bulletin.scored:
            _say_targets_not_loaded(bulletin.period)
        _say_where_the_draft_is(home, bulletin.period)
    return 0


def _say_targets_not_loaded(period: str) -> None:
    from base.calendar import parse_period
    from exports.bulletin.format import targets_not_loaded

    _say(
        f"注意：{targets_not_loaded(parse_period(period).year)}本通报只含重点指标排名、报送情况和数据质量；"
        "目标管理责任书接收后再运行 pingan report，将发布本期的更正通报。"
    )


def _say_where_the_draft_is(home: Home, period: str) -> None:
    from base.calendar import parse_period
    from exports.notice.issue import draft_paths

    docx, _ = draft_paths(home.reports / period, parse_period(period))
    if docx.is_file():
        _say(f"公文草稿（审核后用 pingan issue --period {period} 签发）：{docx}")


def _warn_of_rejections(home: Home, period: str) -> None:
    """A bulletin published by hand is published on purpose; say which files it counts as 退回."""
    from orchestration.status import rejections_outstanding

    rejected = rejections_outstanding(home, period)
    if rejected:
        _say(
            f"注意：{period} 有 {len(rejected)} 份报表被退回尚未重报（定时发布会等待更正），本通报按“退回”计："
            + "；".join(f"{month} {unit.unit_name}" for month, unit in rejected)
        )


def command_issue(args: argparse.Namespace) -> int:
    """Issue the period's 公文: the next 发文字号 of the year, the 成文日期, frozen, recorded."""
    import datetime as dt

    from base.calendar import parse_period
    from exports.bulletin.pdf import PdfError
    from exports.notice.config import NoticeConfigError
    from exports.notice.issue import NoticeError, issue_notice

    if not args.period:
        raise UsageError("请用 --period 指定要签发的通报期间，例如 --period 2022-12")
    try:
        period = parse_period(args.period)
        issued_on = dt.date.fromisoformat(args.date) if args.date else None
    except ValueError as error:
        raise UsageError(f"{error}（成文日期写成 2023-01-05）" if args.date else str(error)) from None
    settings = _settings(args)
    home = settings.home
    try:
        with _step(f"正在签发{period.label}的考评排名通报"):
            result = issue_notice(
                home.warehouse,
                period,
                home.reports / period.key,
                register_dir=home.notices,
                config_dir=home.config,
                issued_on=issued_on,
                pdf=settings.bulletin_pdf,
            )
    except (NoticeError, NoticeConfigError, PdfError, FileNotFoundError) as error:
        _say(str(error))
        return 1
    if args.json:
        _print_json(
            {
                "period": result.period,
                "number": result.number,
                "corrects": result.corrects,
                "docx": str(result.docx),
                "pdf": str(result.pdf) if result.pdf else None,
                "already_issued": result.reused,
            }
        )
    if result.reused:
        _say(f"该期通报已签发为 {result.number}，通报工作簿没有变化，未重新编号：{result.docx}")
    else:
        corrects = f"（更正 {result.corrects}）" if result.corrects else ""
        _say(f"已签发 {result.number}{corrects}：{result.docx}")
        if result.pdf:
            _say(f"  PDF：{result.pdf}")
    return 0


def _write_unit_extract(settings: Settings, args: argparse.Namespace) -> int:
    """One unit's own sheet (targets, attainment, rank among N, trend) for sending back to the county."""
    from exports.bulletin import write_unit_extract
    from orchestration.publish import default_bulletin_periods

    home = settings.home
    period = args.period or next(iter(default_bulletin_periods(home)), None)
    if period is None:
        raise UsageError("数据仓库中还没有已接收的月报，请先接收报表")
    with _step(f"正在生成 {args.unit} 的考评情况"):
        path = write_unit_extract(
            home.warehouse, period, args.unit, home.reports / period, pdf=settings.bulletin_pdf
        )
    if args.json:
        _print_json({"period": period, "unit": args.unit, "path": str(path)})
    _say(f"单位考评情况：{path}")
    return 0


def _progress_bar(label: str):
    """A one-line progress bar on stderr (redrawn in place on a terminal, every 10% otherwise)."""
    shown = {"last": -1}
    terminal = sys.stderr.isatty()

    def draw(done: int, total: int) -> None:
        step = done * 10 // max(total, 1)
        if not terminal and (step == shown["last"] or done == 0):
            return
        shown["last"] = step
        filled = done * 30 // max(total, 1)
        end = "\n" if done == total or not terminal else ""
        print(
            f"\r  {label} [{'#' * filled}{'.' * (30 - filled)}] {done}/{total}",
            end=end,
            file=sys.stderr,
            flush=True,
        )

    return draw


def command_rebuild(args: argparse.Namespace) -> int:
    from ingest.archive import audit_ledger
    from orchestration.intake import rebuild
    from orchestration.warehouse import WarehouseBuildError, build_warehouse, writer_lock

    settings = _settings(args)
    home = settings.home
    with writer_lock(settings, on_wait=_say):  # one turn: nobody takes files in half-way
        with _step("正在从归档重新读取全部文件"):
            unrecorded = audit_ledger(home.archive).unrecorded
            results = rebuild(settings, progress=_progress_bar("读取"))
        if unrecorded:
            names = "、".join(terminal_text(r.file) for r in results if r.sha256 in unrecorded)
            _say(f"归档账本中没有可读记录的 {len(unrecorded)} 个文件已从归档找回并补记账本：{names}")
        try:
            with _step("正在重建数据仓库（dbt build）"):
                build_warehouse(settings)
        except WarehouseBuildError as error:
            _say(str(error))
            return 1
    counts = Counter(r.status for r in results)
    _say(f"已重建：{len(results)} 个文件（{dict(counts)}），数据仓库：{home.warehouse}")
    _say_where_quality_docs_are(home)
    return 0


def command_docs(args: argparse.Namespace) -> int:
    from orchestration.warehouse import WarehouseBuildError, generate_docs

    settings = _settings(args)
    try:
        with _step("正在生成数据仓库文档（dbt docs generate）"):
            index = generate_docs(settings)
    except WarehouseBuildError as error:
        _say(str(error))
        return 1
    _say(f"文档：{index}（用浏览器直接打开，无需联网）")
    print(index)
    return 0


def command_demo(args: argparse.Namespace) -> int:
    from orchestration.demo import DemoFailed, run_demo

    settings = _settings(args, dbt=True)
    home = settings.home
    log = home.dbt_logs / "pingan-runs.log"
    started = time.monotonic()
    try:
        with open(log, "a", encoding="utf-8") as handle, contextlib.redirect_stdout(handle):
            summary = run_demo(settings, progress=_say)  # dbt's own log lines go to the log file
    except DemoFailed as error:
        _say(f"{error}\n（详细日志：{log}）")
        return 1
    accounts = _demo_accounts(settings)
    if args.json:
        _print_json({**summary, "accounts": accounts})
    else:
        _say("")
        _say(
            f"演示完成（{time.monotonic() - started:.0f} 秒）：接收 {summary['accepted']} 份"
            f"（其中有提示 {summary['accepted_with_warnings']} 份），"
            f"退回 {summary['rejected']} 份，重复 {summary['duplicate']} 份"
        )
        for period, path in summary["bulletins"].items():
            _say(f"  通报 {period}: {path}")
        _say(f"  数据仓库: {summary['warehouse']}")
        _say(f"  数据质量检查报告（Great Expectations）: {summary['quality_docs']}")
        for path in summary["feedback"]:
            _say(f"  数据质量反馈表: {path}")
        _say("  查看运行记录：pingan ui")
        _say("")
        _say(f"报送门户（pingan portal --home {home.root}，浏览器打开 http://127.0.0.1:8080）的演示账号：")
        for account in accounts:
            unit = f" {account['unit']}" if account["unit"] else ""
            _say(f"  {_pad(account['name'], 16)}{_pad(account['role'] + unit, 18)}密码 {account['password']}")
    return 0


def _demo_accounts(settings: Settings) -> list[dict]:
    """The demo's portal accounts (created, or their passwords reset when they exist), with passwords."""
    from orchestration.demo import DEMO_ACCOUNTS
    from portal.accounts import add_account, list_accounts, reset_password
    from portal.passwords import generate_password

    home = settings.home
    existing = {row.name for row in list_accounts(home)}
    accounts = []
    for name, role, unit in DEMO_ACCOUNTS:
        password = generate_password()
        if name in existing:
            reset_password(home, name, password)
        else:
            add_account(home, name, role, password, unit)
        accounts.append({"name": name, "role": role, "unit": unit, "password": password})
    return accounts


def ui_command(host: str, port: int) -> list[str]:
    dagster = Path(sys.executable).with_name("dagster")
    return [str(dagster), "dev", "-m", "orchestration.definitions", "-h", host, "-p", str(port)]


def ui_environment(settings: Settings) -> dict[str, str]:
    """The environment of the Dagster processes: this home's settings, and the source tree importable."""
    from base.settings import SOURCE_ROOT

    environment = settings.child_environment()
    path = os.pathsep.join(p for p in (str(SOURCE_ROOT), environment.get("PYTHONPATH", "")) if p)
    return {**environment, "PYTHONPATH": path}


def command_bench(args: argparse.Namespace) -> int:
    """The benchmark is scaffolding beside the product (``bench/``): run it as its own program."""
    import subprocess

    home = ["--home", args.home] if args.home else []
    return subprocess.call([sys.executable, "-m", "bench", *home, *args.bench_arguments])


def command_ui(args: argparse.Namespace) -> int:
    from orchestration.prepare import create_dagster_storage
    from orchestration.services import Service, run_services

    settings = _settings(args, dbt=True)
    home = settings.home
    create_dagster_storage(home)  # before `dagster dev` starts its webserver and daemon together
    _say(f"Dagster 界面：http://{args.host}:{args.port} （数据目录 {home.root}；Ctrl+C 退出）")
    return run_services(
        [Service("Dagster 界面", ui_command(args.host, args.port))], ui_environment(settings), home.root, _say
    )


def command_portal(args: argparse.Namespace) -> int:
    from portal.config import PortalConfig
    from portal.server import serve

    settings = _settings(args)
    refresh = None if args.refresh_after <= 0 else args.refresh_after
    _say(
        f"报送门户：http://{args.host}:{args.port} （数据目录 {settings.home.root}；Ctrl+C 退出）"
        "；对外提供请放在 HTTPS 反向代理之后（见 README）"
    )
    with contextlib.suppress(KeyboardInterrupt):
        serve(settings, args.host, args.port, PortalConfig(refresh_after_seconds=refresh))
    return 0


def portal_command(settings: Settings, host: str, port: int) -> list[str]:
    return [
        sys.executable, "-m", "orchestration.cli", "portal", "--home", str(settings.home.root),
        "--host", host, "--port", str(port),
    ]  # fmt: skip


def command_serve(args: argparse.Namespace) -> int:
    """The office's server: the portal, the Dagster webserver and the Dagster daemon (schedules, sensor)."""
    from orchestration.prepare import create_dagster_storage
    from orchestration.services import Service, run_services

    settings = _settings(args, dbt=True)
    home = settings.home
    create_dagster_storage(home)  # before the webserver and the daemon start together
    bin_dir = Path(sys.executable).parent
    definitions = ["-m", "orchestration.definitions"]
    services = [
        Service("报送门户", portal_command(settings, args.host, args.port)),
        Service(
            "Dagster 界面",
            [str(bin_dir / "dagster-webserver"), *definitions, "-h", args.host, "-p", str(args.dagster_port)],
        ),
        Service("Dagster 守护进程", [str(bin_dir / "dagster-daemon"), "run", *definitions]),
    ]
    _say(
        f"报送门户 http://{args.host}:{args.port} · Dagster 界面 http://{args.host}:{args.dagster_port}"
        f" · 定时任务与收件箱监视已启动（数据目录 {home.root}；Ctrl+C 或 SIGTERM 全部停止）"
    )
    return run_services(services, ui_environment(settings), home.root, _say)


def _new_password(args: argparse.Namespace) -> tuple[str, bool]:
    """(password, generated): from standard input with --password-stdin, typed twice at a terminal (an
    empty answer generates one), else generated."""
    import getpass

    from portal.passwords import generate_password, weakness

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        password = getpass.getpass("新密码（直接回车则自动生成）：")
        if password and getpass.getpass("再输入一次：") != password:
            raise UsageError("两次输入的密码不一致")
    else:
        password = ""
    if not password:
        return generate_password(), True
    problem = weakness(password)
    if problem:
        raise UsageError(problem)
    return password, False


def command_users(args: argparse.Namespace) -> int:
    from portal import accounts

    home = _settings(args).home
    try:
        if args.users_command == "list":
            rows = accounts.list_accounts(home)
            if args.json:
                _print_json([vars(row) for row in rows])
                return 0
            if not rows:
                _say("还没有账号。用 pingan users add --name 张三 --role 填报员 --unit 大方县 添加。")
            for row in rows:
                state = "停用" if not row.active else "锁定中" if row.locked else "正常"
                print(f"{_pad(row.name, 18)}{_pad(row.role, 8)}{_pad(row.unit_name or '', 26)}{state}")
            return 0
        if args.users_command == "add":
            password, generated = _new_password(args)
            account = accounts.added_by(home, None, args.name, args.role, password, args.unit)
            _say(f"已添加账号：{account.name}（{account.role.value}{' ' + args.unit if args.unit else ''}）")
        elif args.users_command == "disable":
            account = accounts.disabled_by(home, None, args.name)
            _say(f"已停用账号：{account.name}（其登录会话已全部结束）")
            return 0
        else:
            password, generated = _new_password(args)
            account = accounts.reset_by(home, None, args.name, password)
            _say(f"已重置密码：{account.name}（其登录会话已全部结束）")
    except ValueError as error:
        raise UsageError(str(error)) from None
    if generated:
        _say("初始密码如下，只显示这一次，请转交本人：")
        print(password)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pingan",
        description="综治月报：接收各县报表，检查，入库，生成考评排名通报。"
        " Monthly county reports in, ranked bulletin out.",
        epilog="数据目录（--home）默认取环境变量 PINGAN_HOME，否则为 ./pingan-home；所有数据都在其中。",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, help_text: str, handler, home: bool = True, epilog: str | None = None):
        sub = commands.add_parser(name, help=help_text, description=help_text, epilog=epilog)
        sub.set_defaults(handler=handler)
        if home:
            sub.add_argument("--home", help="数据目录（默认 PINGAN_HOME 或 ./pingan-home）")
        return sub

    demo = add(
        "demo",
        "用演示数据跑一遍完整流程（接收、检查、入库、排名、通报），并告诉你通报在哪里。"
        " Run the whole job on the demo prefecture.",
        command_demo,
    )
    demo.add_argument("--json", action="store_true", help="以 JSON 输出结果")

    sample = add(
        "sample",
        "只生成演示工作簿（各县 2021–2022 年月报和目标责任书），不运行流程。 Write the demo workbooks only.",
        command_sample,
        home=False,
    )
    sample.add_argument("--out", required=True, help="写到哪个文件夹")

    template = add(
        "template",
        "生成空白填报模板：某单位某月的月报，或全部单位的月报，或年度目标管理责任书。"
        " Write blank submission workbooks.",
        command_template,
        home=False,
        epilog="例：pingan template --unit 大方县 --period 2022-01 -o 大方县_2022年01月.xlsx；"
        "pingan template --all --period 2022-01 --out 模板/；"
        "pingan template --targets --year 2022 -o 目标管理责任书_2022年.xlsx",
    )
    template.add_argument("--unit", help="单位名称、简称或行政区划代码，如 大方县")
    template.add_argument("--period", help="报送期间 YYYY-MM，如 2022-01")
    template.add_argument("--all", action="store_true", help="为所有单位各生成一份（配合 --out）")
    template.add_argument("--targets", action="store_true", help="生成年度目标管理责任书模板（配合 --year）")
    template.add_argument("--year", type=int, help="目标责任书的年度，如 2022")
    template.add_argument("-o", "--output", help="输出文件")
    template.add_argument("--out", help="输出文件夹（--all 时）")

    ingest = add(
        "ingest",
        "接收工作簿：归档、读取、检查、入库（可给文件或文件夹）。有文件被退回时退出码为 1。"
        " Ingest workbooks.",
        command_ingest,
    )
    ingest.add_argument("paths", nargs="+", metavar="PATH", help="工作簿文件或文件夹")
    ingest.add_argument("--json", action="store_true", help="每个文件一条 JSON 结果")
    ingest.add_argument("--dry-run", action="store_true", help="只读取和检查，不保存任何东西")
    ingest.add_argument(
        "--received-at",
        metavar="TIME",
        help="登记这些文件实际到达办公室的时间（如 2022-02-04 09:30），用于先经邮件等途径收到、后来才放入的文件；"
        "须同时用 --reason 写明理由，登记记入归档备查",
    )
    ingest.add_argument("--reason", help="登记到达时间的理由（与 --received-at 一起使用）")

    status = add(
        "status",
        "某月各单位报送情况：已报、逾期、未报、退回，并列出未报和被退回的单位。 Who has reported.",
        command_status,
    )
    status.add_argument("--period", help="月份 YYYY-MM；默认上个月（正在报送的月份）")
    status.add_argument("--json", action="store_true", help="以 JSON 输出")

    report = add(
        "report",
        "用已接收的报表更新数据仓库，并生成某期的排名通报（内容有变时生成更正版）。 Build marts and bulletin.",
        command_report,
    )
    report.add_argument("--period", help="期间：2022-01（月）、2022Q1（季）或 2022（年）；默认最近一期")
    report.add_argument("--unit", help="只生成该单位自己的考评情况表（发回单位用），如 大方县")
    report.add_argument("--json", action="store_true", help="以 JSON 输出通报路径")

    issue = add(
        "issue",
        "签发某期考评排名通报（公文）：编发文字号（每年从 1 号起连续编排）、填成文日期、定稿存档。"
        "通报内容有更正时签发更正通报。 Issue the period's notice.",
        command_issue,
        epilog="例：pingan issue --period 2022-12 --date 2023-01-06。草稿在 <数据目录>/reports/<期间>/ 中，"
        "措辞可在 <数据目录>/config/notice.toml 中修改。",
    )
    issue.add_argument("--period", help="期间：2022-12（月）、2022Q4（季）或 2022（年）")
    issue.add_argument("--date", help="成文日期 YYYY-MM-DD；默认今天")
    issue.add_argument("--json", action="store_true", help="以 JSON 输出签发结果")

    add(
        "rebuild",
        "只用归档的原始文件重建数据仓库（仓库文件损坏或规则更新后使用）。 Rebuild from the archive.",
        command_rebuild,
    )

    add(
        "docs",
        "生成数据仓库说明文档（dbt docs，写到 <数据目录>/docs/）。 Generate the dbt docs.",
        command_docs,
    )

    ui = add(
        "ui",
        "打开 Dagster 界面（在浏览器查看流程、运行记录、检查结果、定时任务）。 Serve the Dagster UI.",
        command_ui,
    )
    ui.add_argument("--host", default="127.0.0.1", help="监听地址（默认只限本机）")
    ui.add_argument("--port", type=int, default=3000, help="端口（默认 3000）")

    portal = add(
        "portal",
        "启动报送门户：各县上传月报、当场看到检查结果和有问题的单元格、下载反馈表和模板、查看报送记录。"
        " Serve the county portal.",
        command_portal,
    )
    portal.add_argument(
        "--host", default="127.0.0.1", help="监听地址（默认只限本机；对外请经 HTTPS 反向代理）"
    )
    portal.add_argument("--port", type=int, default=8080, help="端口（默认 8080）")
    portal.add_argument(
        "--refresh-after",
        type=float,
        default=60,
        metavar="SECONDS",
        help="上传停止多少秒后自动更新数据汇总（报送状态）；0 表示不自动更新（默认 60）",
    )

    serve = add(
        "serve",
        "综治办服务器：同时启动报送门户、Dagster 界面和 Dagster 守护进程（定时通报、收件箱监视）；"
        "Ctrl+C 或 SIGTERM 在 10 秒内全部停止。 Serve the portal and Dagster together.",
        command_serve,
    )
    serve.add_argument("--host", default="127.0.0.1", help="监听地址（默认只限本机）")
    serve.add_argument("--port", type=int, default=8080, help="报送门户端口（默认 8080）")
    serve.add_argument("--dagster-port", type=int, default=3000, help="Dagster 界面端口（默认 3000）")

    users = add(
        "users",
        "管理报送门户的账号：添加（add）、列出（list）、停用（disable）、重置密码（reset-password）。"
        " Manage portal accounts.",
        command_users,
        epilog="例：pingan users add --name 张三 --role 填报员 --unit 大方县；"
        "echo 密码 | pingan users add --name 李四 --role 综治办 --password-stdin；pingan users list",
    )
    user_commands = users.add_subparsers(dest="users_command", required=True, metavar="ACTION")

    def user_command(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = user_commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument(
            "--home", default=argparse.SUPPRESS, help="数据目录（默认 PINGAN_HOME 或 ./pingan-home）"
        )
        return sub

    add_user = user_command(
        "add", "添加账号（密码：--password-stdin 从标准输入读取；在终端中输入；或自动生成并显示一次）"
    )
    add_user.add_argument("--name", required=True, help="用户名（登录时输入），如 张三")
    add_user.add_argument(
        "--role", required=True, choices=["填报员", "审核人", "综治办", "领导"], help="角色"
    )
    add_user.add_argument("--unit", help="所属单位（填报员、审核人必填），如 大方县")
    add_user.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码（一行）")
    list_users = user_command("list", "列出全部账号及其状态")
    list_users.add_argument("--json", action="store_true", help="以 JSON 输出")
    disable_user = user_command("disable", "停用账号（立即结束其全部登录会话）")
    disable_user.add_argument("--name", required=True, help="用户名")
    reset_user = user_command("reset-password", "重置密码并解除锁定（立即结束其全部登录会话）")
    reset_user.add_argument("--name", required=True, help="用户名")
    reset_user.add_argument("--password-stdin", action="store_true", help="从标准输入读取新密码（一行）")

    bench = add(
        "bench",
        "性能基准：生成一个模拟省份，分别计时最低读取、朴素做法和 pingan 全流程、迟报与更正后的更新"
        "（即 python -m bench；参数见 python -m bench --help）。 Benchmark.",
        command_bench,
    )
    bench.add_argument("bench_arguments", nargs=argparse.REMAINDER, help="--units N --months M --no-naive …")
    return parser


def main(argv: list[str] | None = None) -> int:
    from ingest.warehouse_state import WarehouseUnusable
    from orchestration.warehouse import WarehouseBusy, is_lock_error

    warnings.filterwarnings("ignore")  # Dagster's beta/deprecation notices are not for office staff
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except UsageError as error:
        _say(f"pingan {args.command}: {error}")
        return 2
    except (WarehouseBusy, WarehouseUnusable) as error:
        _say(str(error))
        return 1
    except BrokenPipeError:  # e.g. `pingan status | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as error:
        if not is_lock_error(error):
            raise
        _say("数据仓库正在被另一个程序更新，请稍后再试。")
        return 1


if __name__ == "__main__":
    sys.exit(main())
