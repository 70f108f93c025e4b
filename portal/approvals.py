"""Sign-off and acceptance in the portal: which step may be taken on which version, and taking it.

A step (``base.approvals``: 县级审核, 撤回审核, 受理, 退回) is taken on the version of a unit's month that
counts (its latest accepted version, ``history.counted_versions``). The page that offers it carries the
version it showed (its sha256); the step is refused when the version that counts is another one by
now, so a form opened before a new upload, or replayed afterwards, never acts on the wrong figures.
Each refusal says why, in its own words (``Refused``): the role or the unit comes first
(``access.refusal``), then what the month's state allows:

- 县级审核: not twice; not once the office has accepted (the month is locked);
- 撤回审核: only a sign-off, and only until the office has acted on it;
- 受理: only a version the county signed off, and not while a file of the unit is still being checked;
- 退回: with a note (the county reads it on its page); not twice.

Taking a step: under the store's write lock, the step is checked against the steps taken so far,
written to the audit log (with the unit, version and note: ``replay_audit`` rebuilds the state from
the log alone), stored, and the approval record the rest of pingan reads is rewritten
(``base.approvals.write_approval_record``), all before the lock is released.
"""

from __future__ import annotations

from dataclasses import dataclass

from base import calendar, catalogue
from base.approvals import (
    ACCEPT,
    ACCEPTED,
    PENDING,
    RESUBMIT,
    RETURN,
    RETURNED,
    SIGN_OFF,
    SIGNED_OFF,
    STATE_AFTER,
    STEP_WORDS,
    STEPS,
    WITHDRAW,
    ApprovalRecord,
    PeriodLock,
    Step,
    VersionState,
    fold,
    write_approval_record,
)
from base.settings import Home
from ingest.results import read_record
from portal import audit, history
from portal.access import Account, Action, refusal
from portal.store import connected

MAX_NOTE = 500
ACTIONS = {SIGN_OFF: Action.SIGN_OFF, WITHDRAW: Action.WITHDRAW, ACCEPT: Action.ACCEPT, RETURN: Action.RETURN}


class Refused(Exception):
    """A step refused: the HTTP status, the reason in Chinese, a short code for the audit log."""

    def __init__(self, status: int, message: str, code: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code


@dataclass(frozen=True)
class MonthApproval:
    """A unit's month as the approval steps see it."""

    unit_code: str
    period: str
    current: history.FileEntry | None  # the version that counts (None: nothing accepted yet)
    state: VersionState | None
    steps: list[Step]  # every step on the month, oldest first
    lock: PeriodLock | None  # while the office's acceptance holds

    @property
    def version(self) -> int | None:
        return self.current.result.version if self.current else None

    @property
    def returned(self) -> Step | None:
        """The return the county still has to answer (the latest step, when it is a return)."""
        return self.steps[-1] if self.steps and self.steps[-1].action == RETURN else None


def stored_steps(home: Home, connection=None) -> list[Step]:
    """Every step taken, in order."""
    query = (
        "select action, unit_code, period, version, sha256, at, by_name, role, note"
        " from approval_steps order by id"
    )
    if connection is None:
        with connected(home) as own:
            rows = own.execute(query).fetchall()
    else:
        rows = connection.execute(query).fetchall()
    return [
        Step(
            r["action"],
            r["unit_code"],
            r["period"],
            r["version"],
            r["sha256"],
            r["at"],
            r["by_name"],
            r["role"],
            r["note"],
        )
        for r in rows
    ]


def approval_record(home: Home) -> ApprovalRecord:
    return fold(stored_steps(home))


def month_approval(
    home: Home,
    unit_code: str,
    period: str,
    record: ApprovalRecord | None = None,
    files: list[history.FileEntry] | None = None,
) -> MonthApproval:
    """The unit's month: its version that counts, that version's state, the steps, the lock (``record``
    and the unit's ``files`` when the caller has them already)."""
    record = record or approval_record(home)
    files = history.unit_files(home, unit_code) if files is None else files
    current = history.counted_versions(files).get((unit_code, period))
    state = record.version_state(unit_code, period, current.sha256) if current else None
    return MonthApproval(
        unit_code,
        period,
        current,
        state,
        record.history(unit_code, period),
        record.current_lock(unit_code, period),
    )


def open_returns(record: ApprovalRecord, unit_code: str, files: list[history.FileEntry]) -> list[Step]:
    """The unit's returns not yet answered by a new version, newest month first: what its page shows."""
    found = []
    for (unit, period), entry in history.counted_versions(files).items():
        last = record.history(unit, period)[-1:]
        if unit == unit_code and last and last[0].action == RETURN and last[0].sha256 == entry.sha256:
            found.append(last[0])
    return sorted(found, key=lambda step: step.period, reverse=True)


def open_locks(record: ApprovalRecord, unit_code: str) -> list[PeriodLock]:
    """The unit's months locked by the office's acceptance now, newest first."""
    periods = {step.period for step in record.steps if step.unit_code == unit_code}
    locks = [record.current_lock(unit_code, period) for period in periods]
    return sorted((lock for lock in locks if lock), key=lambda lock: lock.period, reverse=True)


def take_step(
    home: Home,
    account: Account,
    action: str,
    unit_code: str,
    period: str,
    seen_sha256: str,
    note: str | None = None,
    client: str | None = None,
) -> Step:
    """Take ``action`` on the unit's month, on the version the page showed (``seen_sha256``); the step,
    or Refused. Every attempt is in the audit log, refused ones with their reason."""
    try:
        with connected(home) as connection:
            connection.execute("begin immediate")  # one step at a time: checked against all before it
            steps = stored_steps(home, connection)
            month = month_approval(home, unit_code, period, fold(steps))
            note = _check(home, account, action, month, seen_sha256, note)
            step = Step(
                action=action,
                unit_code=unit_code,
                period=period,
                version=month.version,
                sha256=month.current.sha256,
                at=calendar.local_now().isoformat(),
                by=account.name,
                role=account.role.value,
                note=note,
            )
            _audit(home, account, step, "ok", client)
            connection.execute(
                "insert into approval_steps (action, unit_code, period, version, sha256, at, by_name, role, note)"
                " values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    step.action,
                    step.unit_code,
                    step.period,
                    step.version,
                    step.sha256,
                    step.at,
                    step.by,
                    step.role,
                    step.note,
                ],
            )
            write_approval_record(home, [*steps, step])
            return step
    except Refused as refused:
        audit.record(
            home,
            account,
            action,
            period=period,
            sha256=seen_sha256 or None,
            result=f"refused:{refused.code}",
            client=client,
            about_unit=unit_code,
        )
        raise


def _audit(home: Home, account: Account, step: Step, result: str, client: str | None) -> None:
    audit.record(
        home,
        account,
        step.action,
        period=step.period,
        sha256=step.sha256,
        result=result,
        client=client,
        about_unit=step.unit_code,
        version=step.version,
        note=step.note,
        time=step.at,
    )


def _check(
    home: Home, account: Account, action: str, month: MonthApproval, seen_sha256: str, note: str | None
) -> str | None:
    """The step's note (cleaned) when ``action`` may be taken now; Refused with the reason otherwise."""
    if action not in STEPS:
        raise Refused(400, "不认识的审核操作", "unknown_step")
    reason = refusal(account, ACTIONS[action], month.unit_code)
    if reason:
        raise Refused(403, reason, "not_allowed")
    unit = catalogue.unit_by_code()[month.unit_code].name
    label = calendar.period_label(month.period)
    words = STEP_WORDS[action]
    if month.current is None:
        raise Refused(409, f"{unit}{label}还没有通过检查的报表，无法{words}。", "nothing_to_approve")
    if seen_sha256 != month.current.sha256:
        seen = read_record(home, seen_sha256) if len(seen_sha256) == 64 and seen_sha256.isalnum() else None
        was = f"第{seen.version}版" if seen and seen.version else "另一个版本"
        raise Refused(
            409,
            f"页面打开后，{unit}{label}的报表已更新为第{month.version}版（页面上是{was}），本次{words}未执行。"
            "请刷新页面，核对新版本后再操作。",
            "version_changed",
        )
    state, last = month.state.state, month.state.step
    done = f"{_when(last)}由{last.by}" if last else ""
    version = f"第{month.version}版"
    if action == SIGN_OFF:
        if state == SIGNED_OFF:
            raise Refused(409, f"{version}已于{done}县级审核，无需重复审核。", "already_signed_off")
        if state == ACCEPTED:
            raise Refused(409, f"综治办已于{done}受理{version}，该月已锁定，无需再审核。", "locked")
    elif action == WITHDRAW:
        if state in (ACCEPTED, RETURNED):
            raise Refused(
                409,
                f"综治办已于{done}{STEP_WORDS[last.action]}{version}，撤回期已过：县级审核只能在综治办处理之前撤回。",
                "past_withdraw_window",
            )
        if state in (PENDING, RESUBMIT):
            raise Refused(409, f"{version}尚未进行县级审核，无需撤回。", "not_signed_off")
    elif action == ACCEPT:
        if state == ACCEPTED:
            raise Refused(409, f"{version}已于{done}受理，无需重复受理。", "already_accepted")
        if state != SIGNED_OFF:
            raise Refused(
                409,
                f"{version}尚未经{unit}县级审核（当前：{month.state.label}），不能受理；请待该县审核人审核后再受理。",
                "not_signed_off",
            )
        queued = len(history.queued_uploads(home, month.unit_code))
        if queued:
            raise Refused(
                409, f"{unit}有 {queued} 个文件正在检查，请等检查结果出来后再受理。", "upload_in_progress"
            )
    elif action == RETURN:
        if state == RETURNED:
            raise Refused(409, f"{version}已于{done}退回，无需重复退回。", "already_returned")
        note = " ".join((note or "").split())
        if not note:
            raise Refused(
                400, "退回必须写明原因：县里会在本单位页面看到，据此修改后重新上传。", "note_missing"
            )
        if len(note) > MAX_NOTE:
            raise Refused(
                400, f"退回原因请控制在 {MAX_NOTE} 字以内（现有 {len(note)} 字）。", "note_too_long"
            )
        return note
    return None


def _when(step: Step | None) -> str:
    return step.at.replace("T", " ")[:16] if step else ""


def replay_audit(home: Home) -> ApprovalRecord:
    """The approval state rebuilt from the audit log alone: its approval steps that were taken (result
    ``ok``), in the order written."""
    steps = [
        Step(
            action=r.action,
            unit_code=r.about_unit,
            period=r.period,
            version=r.version,
            sha256=r.sha256,
            at=r.time,
            by=r.user,
            role=r.role,
            note=r.note,
        )
        for r in audit.read_audit(home)
        if r.action in STATE_AFTER and r.result == "ok"
    ]
    return fold(steps)


def restore_from_audit(home: Home) -> int:
    """Replace the store's steps (and the approval record) with those the audit log holds; how many.
    For a store lost or restored from an older copy: the log is append-only and complete."""
    steps = list(replay_audit(home).steps)
    with connected(home) as connection:
        connection.execute("begin immediate")
        connection.execute("delete from approval_steps")
        connection.executemany(
            "insert into approval_steps (action, unit_code, period, version, sha256, at, by_name, role, note)"
            " values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                [s.action, s.unit_code, s.period, s.version, s.sha256, s.at, s.by, s.role, s.note]
                for s in steps
            ],
        )
        write_approval_record(home, steps)
    return len(steps)
