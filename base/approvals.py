"""The approval record: what the counties' sign-offs and the office's acceptances mean for the rest of pingan.

Approval is per unit × month × file version (a version is its sha256). The county portal decides who may
do which step (``portal.approvals``); it keeps every step in its store and its audit log, and after each
step rewrites this record, ``<home>/portal/approvals.json``: the steps in the order taken. Everything
else reads the record, never the portal:

- intake refuses a file that arrives for a month the office has accepted (受理) and not returned
  (``lock_at``: the lock runs from the acceptance to the return, judged at the file's arrival, so a
  rebuild from the archive refuses the same files);
- publishing writes each version's state into the bulletin's manifest and its 填报情况 sheet;
- the scheduled bulletin's gate waits for every unit to be accepted when the office asks it to.

What a step does to a version is here, once (``fold``): 县级审核 signs the version off, 撤回审核 takes the
sign-off back, 受理 accepts it (and locks the month), 退回 returns it with a note (and unlocks the
month). A new version starts with no step at all: the earlier version's sign-off or acceptance does not
carry over, and a month whose earlier version had been acted on reads 需重新审核.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

from base.files import write_text_replacing
from base.settings import Home

FILE_NAME = "approvals.json"

SIGN_OFF, WITHDRAW, ACCEPT, RETURN = "sign_off", "withdraw", "accept", "return"
STEPS = (SIGN_OFF, WITHDRAW, ACCEPT, RETURN)
STEP_WORDS = {SIGN_OFF: "县级审核", WITHDRAW: "撤回审核", ACCEPT: "受理", RETURN: "退回"}

PENDING, RESUBMIT, SIGNED_OFF, ACCEPTED, RETURNED = (
    "pending",
    "resubmit",
    "signed_off",
    "accepted",
    "returned",
)
# The state a version is in after each step (a version with no step is PENDING, or RESUBMIT when an
# earlier version of its month had been acted on).
STATE_AFTER = {SIGN_OFF: SIGNED_OFF, WITHDRAW: PENDING, ACCEPT: ACCEPTED, RETURN: RETURNED}
STATE_LABELS = {
    PENDING: "待审核",
    RESUBMIT: "需重新审核",
    SIGNED_OFF: "县级已审核",
    ACCEPTED: "已受理",
    RETURNED: "已退回",
}


@dataclass(frozen=True)
class Step:
    """One approval step as taken: what, on which version, when, by whom (and the note of a return)."""

    action: str  # one of STEPS
    unit_code: str
    period: str  # 'YYYY-MM'
    version: int
    sha256: str
    at: str  # ISO, the office's wall clock
    by: str  # the account's name
    role: str
    note: str | None = None


@dataclass(frozen=True)
class PeriodLock:
    """A month of a unit locked by the office's acceptance, until it is returned."""

    unit_code: str
    period: str
    since: str
    by: str
    until: str | None = None  # when it was returned; None while locked


@dataclass(frozen=True)
class VersionState:
    state: str
    step: Step | None  # the step that put the version in this state (None: no step yet)

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]


@dataclass(frozen=True)
class ApprovalRecord:
    """The steps taken, and what they add up to (``fold``)."""

    steps: tuple[Step, ...] = ()
    _last: dict[str, Step] = field(default_factory=dict, compare=False, repr=False)
    _locks: dict[tuple[str, str], list[PeriodLock]] = field(default_factory=dict, compare=False, repr=False)

    def version_state(self, unit_code: str, period: str, sha256: str) -> VersionState:
        """The state of one version of a unit's month."""
        last = self._last.get(sha256)
        if last is not None:
            return VersionState(STATE_AFTER[last.action], last)
        earlier = [
            s
            for s in self._last.values()
            if (s.unit_code, s.period) == (unit_code, period) and STATE_AFTER[s.action] != PENDING
        ]
        return VersionState(RESUBMIT if earlier else PENDING, None)

    def label_for(self, unit_code: str, period: str, sha256: str) -> str:
        return self.version_state(unit_code, period, sha256).label

    def lock_at(self, unit_code: str, period: str, moment: str) -> PeriodLock | None:
        """The lock on the unit's month at ``moment`` (ISO wall clock), if there was one."""
        for lock in self._locks.get((unit_code, period), []):
            if lock.since <= moment and (lock.until is None or moment < lock.until):
                return lock
        return None

    def current_lock(self, unit_code: str, period: str) -> PeriodLock | None:
        found = self._locks.get((unit_code, period), [])
        return found[-1] if found and found[-1].until is None else None

    def history(self, unit_code: str, period: str) -> list[Step]:
        """Every step on the unit's month, oldest first."""
        return [s for s in self.steps if (s.unit_code, s.period) == (unit_code, period)]

    def as_dict(self) -> dict:
        return {"steps": [asdict(s) for s in self.steps]}


def fold(steps: list[Step] | tuple[Step, ...]) -> ApprovalRecord:
    """What the steps, in the order taken, add up to: each version's last step, each month's locks."""
    last: dict[str, Step] = {}
    locks: dict[tuple[str, str], list[PeriodLock]] = defaultdict(list)
    for step in steps:
        if step.action not in STATE_AFTER:
            raise ValueError(f"不认识的审核步骤：{step.action!r}")
        last[step.sha256] = step
        held = locks[(step.unit_code, step.period)]
        open_lock = held[-1] if held and held[-1].until is None else None
        if step.action == ACCEPT and open_lock is None:
            held.append(PeriodLock(step.unit_code, step.period, step.at, step.by))
        elif step.action == RETURN and open_lock is not None:
            held[-1] = PeriodLock(
                open_lock.unit_code, open_lock.period, open_lock.since, open_lock.by, step.at
            )
    return ApprovalRecord(tuple(steps), last, dict(locks))


def record_path(home: Home) -> Path:
    return home.portal / FILE_NAME


def write_approval_record(home: Home, steps: list[Step] | tuple[Step, ...]) -> Path:
    """Rewrite the record with ``steps`` (all of them, in order), atomically."""
    path = record_path(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"steps": [asdict(s) for s in steps]}, ensure_ascii=False, indent=1, sort_keys=True)
    return write_text_replacing(path, text + "\n", durable=True)


def read_approval_record(home: Home) -> ApprovalRecord | None:
    """The record, or None when no approval step was ever taken in this home."""
    try:
        data = json.loads(record_path(home).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    return fold([Step(**s) for s in data["steps"]])
