"""The portal's verbs: ``pingan users add|list|disable|reset-password`` (password from standard input,
or generated and shown once), ``pingan serve`` (the portal, the Dagster webserver and daemon) and
``pingan ui`` stopping everything they started within 10 s of SIGTERM or Ctrl-C."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from base.settings import Settings
from portal import audit
from portal.config import PortalConfig
from portal.server import free_port
from portal.sessions import login

ROOT = Path(__file__).resolve().parents[2]


def pingan(home: Path, *arguments: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "orchestration.cli", *arguments, "--home", str(home)],
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def test_users_are_added_listed_disabled_and_reset_from_the_command_line(settings):
    home = settings.home
    added = pingan(
        home.root,
        "users",
        "add",
        "--name",
        "张三",
        "--role",
        "填报员",
        "--unit",
        "大方",
        "--password-stdin",
        stdin="zhangsan-pass-1\n",
    )
    assert added.returncode == 0, added.stderr
    assert "已添加账号：张三（填报员 大方）" in added.stderr and added.stdout == ""
    assert login(home, PortalConfig(), "张三", "zhangsan-pass-1", None).account.unit_code == "522422"

    generated = pingan(home.root, "users", "add", "--name", "李四", "--role", "综治办")
    assert generated.returncode == 0 and "只显示这一次" in generated.stderr
    password = generated.stdout.strip()
    assert len(password) >= 12 and login(home, PortalConfig(), "李四", password, None).account is not None

    listed = json.loads(pingan(home.root, "users", "list", "--json").stdout)
    rows = {row["name"]: row for row in listed}
    assert (
        rows["张三"]["role"] == "填报员" and rows["张三"]["unit_name"] == "大方县" and rows["张三"]["active"]
    )
    assert rows["李四"]["unit_code"] is None

    for arguments, reason in (
        (("--name", "张三", "--role", "填报员", "--unit", "大方县"), "已存在"),
        (("--name", "王五", "--role", "填报员"), "需要用 --unit 指定所属单位"),
        (("--name", "王五", "--role", "综治办", "--unit", "大方县"), "不要指定 --unit"),
        (("--name", "王五", "--role", "填报员", "--unit", "火星县"), "不认识的单位"),
    ):
        refused = pingan(home.root, "users", "add", *arguments, "--password-stdin", stdin="long-enough-1\n")
        assert refused.returncode == 2 and reason in refused.stderr, refused.stderr
    short = pingan(
        home.root, "users", "add", "--name", "王五", "--role", "领导", "--password-stdin", stdin="short\n"
    )
    assert short.returncode == 2 and "密码至少 8 位" in short.stderr

    assert pingan(home.root, "users", "disable", "--name", "张三").returncode == 0
    assert login(home, PortalConfig(), "张三", "zhangsan-pass-1", None).account is None
    reset = pingan(
        home.root, "users", "reset-password", "--name", "李四", "--password-stdin", stdin="lisi-new-pass-2\n"
    )
    assert reset.returncode == 0 and login(home, PortalConfig(), "李四", "lisi-new-pass-2", None).account
    actions = [(r.user, r.action, r.result) for r in audit.read_audit(home)]
    assert actions == [
        ("命令行", "user_added", "张三 填报员"),
        ("命令行", "user_added", "李四 综治办"),
        ("命令行", "user_disabled", "张三"),
        ("命令行", "password_reset", "李四"),
    ]  # the refused additions left no record


def descendants(pid: int) -> set[int]:
    """Every running process below ``pid``."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z":
            parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def running(pids: set[int]) -> set[int]:
    alive = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.add(pid)
    return alive


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


def start(home: Path, *arguments: str) -> subprocess.Popen:
    """``pingan ARGUMENTS --home HOME``, what it and its services say written to ``said(home)``."""
    with said(home).open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "orchestration.cli", *arguments, "--home", str(home)],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )


def said(home: Path) -> Path:
    return home.parent / "pingan-said.log"


def ended(process: subprocess.Popen, home: Path) -> str:
    """Why a test of a long-running command fails: its exit code and the end of what it said."""
    return f"exited with {process.returncode}: " + said(home).read_text(errors="replace")[-3000:]


def stops_within(process: subprocess.Popen, number: int, seconds: float) -> None:
    below = descendants(process.pid)
    assert below, "nothing was started"
    sent = time.monotonic()
    process.send_signal(number)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(seconds)
    left = running(below | {process.pid})
    took = time.monotonic() - sent
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left and took <= seconds, f"{len(left)} processes still running {took:.1f} s after the signal"


@pytest.mark.e2e
def test_serve_starts_portal_webserver_and_daemon_and_sigterm_stops_them_all(settings):
    port, dagster_port = free_port(), free_port()
    process = start(settings.home.root, "serve", "--port", str(port), "--dagster-port", str(dagster_port))
    try:
        deadline = time.monotonic() + 180
        while not (
            answers(f"http://127.0.0.1:{port}/login")
            and answers(f"http://127.0.0.1:{dagster_port}/server_info")
        ):
            assert process.poll() is None, ended(process, settings.home.root)
            assert time.monotonic() < deadline, "the portal and the Dagster webserver did not both answer"
            time.sleep(1)
        commands = " ".join(
            Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ")
            for pid in running(descendants(process.pid))
        )
        assert "dagster-daemon run" in commands and "dagster-webserver" in commands and " portal " in commands
        stops_within(process, signal.SIGTERM, 10)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)


@pytest.mark.e2e
def test_ui_stops_within_ten_seconds_of_ctrl_c(settings):
    # Regression: `pingan ui` used to ignore SIGTERM and Ctrl-C and had to be killed.
    port = free_port()
    process = start(settings.home.root, "ui", "--port", str(port))
    try:
        deadline = time.monotonic() + 180
        while not answers(f"http://127.0.0.1:{port}/server_info"):
            assert process.poll() is None, ended(process, settings.home.root)
            assert time.monotonic() < deadline, "the Dagster UI did not answer"
            time.sleep(1)
        stops_within(process, signal.SIGINT, 10)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)


def test_the_demo_creates_its_accounts_and_a_second_run_gives_them_new_passwords(tmp_path):
    from orchestration.cli import _demo_accounts
    from orchestration.demo import DEMO_ACCOUNTS

    settings = Settings.from_env(tmp_path / "home")
    first = _demo_accounts(settings)
    assert [(a["name"], a["role"], a["unit"]) for a in first] == list(DEMO_ACCOUNTS)
    for account in first:
        signed = login(settings.home, PortalConfig(), account["name"], account["password"], None).account
        assert signed.role.value == account["role"]
    second = _demo_accounts(settings)
    assert all(a["password"] != b["password"] for a, b in zip(first, second, strict=True))
    assert login(settings.home, PortalConfig(), first[0]["name"], first[0]["password"], None).account is None
    assert (
        login(settings.home, PortalConfig(), second[0]["name"], second[0]["password"], None).account
        is not None
    )
