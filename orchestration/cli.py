"""The ``pingan`` command: the office's verbs, in plain words.

Quick paths (ingest, report, rebuild) call ingest/ and dbt directly, so a county's file gets its answer
in seconds without starting Dagster; ``demo`` runs the whole job as Dagster assets, the same way the
UI and the schedules do.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from orchestration.settings import Home

STATUS_TEXT = {
    "accepted": "已接收",
    "accepted_with_warnings": "已接收（有提示）",
    "rejected": "退回",
    "duplicate": "重复文件（已接收过）",
}


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _home(args: argparse.Namespace) -> Home:
    home = Home.from_env(args.home).ensure()
    home.export_environment()
    return home


def command_sample(args: argparse.Namespace) -> int:
    from exports.sample import write_demo_files

    files = write_demo_files(Path(args.out))
    _say(f"已生成 {len(files)} 个演示工作簿：{Path(args.out).resolve()}")
    return 0


def command_ingest(args: argparse.Namespace) -> int:
    from ingest.intake import ingest_files

    home = _home(args)
    paths = [Path(p) for p in args.paths]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        _say(f"找不到：{', '.join(missing)}")
        return 2
    results = ingest_files(
        paths, home.root, dry_run=args.dry_run, consume_from=home.inbox if not args.dry_run else None
    )
    if args.json:
        print(json.dumps([r.as_dict() for r in results], ensure_ascii=False, indent=2))
    else:
        for result in results:
            where = " ".join(
                x
                for x in (result.unit_code, result.period, f"v{result.version}" if result.version else "")
                if x
            )
            _say(f"{STATUS_TEXT[result.status]:<12} {result.file} {where}")
            for item in result.errors:
                place = "!".join(x for x in (item["sheet"], item["cell"]) if x)
                _say(f"    [{item['severity']}] {item['rule_id']} {place} {item['message']}")
    return 1 if any(r.status == "rejected" for r in results) else 0


def command_report(args: argparse.Namespace) -> int:
    from orchestration.publish import publish_bulletins
    from orchestration.warehouse import WarehouseBuildError, build_warehouse

    home = _home(args)
    _say("正在更新数据仓库（dbt build）…")
    try:
        build_warehouse(home)
    except WarehouseBuildError as error:
        _say(f"数据仓库更新失败：{error}")
        return 1
    try:
        written = publish_bulletins(home, [args.period] if args.period else None)
    except ValueError as error:
        _say(str(error))
        return 1
    if args.json:
        print(
            json.dumps(
                [
                    {"period": b.period, "path": str(b.path), "manifest": str(b.manifest_path)}
                    for b in written
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
    for bulletin in written:
        _say(f"通报已生成：{bulletin.path}")
    return 0


def command_rebuild(args: argparse.Namespace) -> int:
    from ingest.intake import rebuild_raw
    from orchestration.warehouse import build_warehouse

    home = _home(args)
    _say("正在从归档重建数据仓库…")
    results = rebuild_raw(home.root)
    build_warehouse(home)
    counts = Counter(r.status for r in results)
    _say(f"已重建：{len(results)} 个文件（{dict(counts)}），数据仓库：{home.warehouse}")
    return 0


def command_demo(args: argparse.Namespace) -> int:
    from orchestration.demo import run_demo

    home = _home(args)
    summary = run_demo(home, progress=_say)
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        _say("")
        _say(
            f"演示完成：接收 {summary['accepted']} 份（其中有提示 {summary['accepted_with_warnings']} 份），"
            f"退回 {summary['rejected']} 份，重复 {summary['duplicate']} 份"
        )
        for period, path in summary["bulletins"].items():
            _say(f"  通报 {period}: {path}")
        _say(f"  数据仓库: {summary['warehouse']}")
        for path in summary["feedback"]:
            _say(f"  反馈: {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pingan",
        description="综治月报：接收各县报表，检查，入库，生成考评排名通报。"
        " Monthly county reports in, ranked bulletin out.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, help_text: str, handler, home: bool = True) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(handler=handler)
        if home:
            sub.add_argument("--home", help="数据目录（默认 PINGAN_HOME 或 ./pingan-home）")
        return sub

    demo = add("demo", "用演示数据跑一遍完整流程，并告诉你通报在哪里", command_demo)
    demo.add_argument("--json", action="store_true", help="以 JSON 输出结果")

    sample = add("sample", "只生成演示工作簿（各县月报和目标责任书），不运行流程", command_sample, home=False)
    sample.add_argument("--out", required=True, help="写到哪个文件夹")

    ingest = add("ingest", "接收工作簿：归档、读取、检查、入库（文件或文件夹）", command_ingest)
    ingest.add_argument("paths", nargs="+", metavar="PATH", help="工作簿文件或文件夹")
    ingest.add_argument("--json", action="store_true", help="每个文件一条 JSON 结果")
    ingest.add_argument("--dry-run", action="store_true", help="只读取和检查，不保存任何东西")

    report = add("report", "更新数据仓库并生成某期的排名通报", command_report)
    report.add_argument("--period", help="期间：2022-01（月）、2022Q1（季）或 2022（年）；默认最近一期")
    report.add_argument("--json", action="store_true", help="以 JSON 输出通报路径")

    add("rebuild", "只用归档文件重建数据仓库（仓库文件损坏时使用）", command_rebuild)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
