"""Publishing a period from the portal: the path ``pingan report`` and the schedules take, in the background.

The office presses 发布 on its board. The request is stored (``publications``) and answered at once with
a page that refreshes until the work is done: building the warehouse and writing a bulletin with its
draft 公文 takes a minute, longer than a browser or a proxy waits for an answer. One publisher thread
takes the requests in order, each as ``pingan report --period`` does it: ``build_warehouse`` (under the
writer lock), then ``publish_bulletins`` (the bulletin, its manifest with each version's approval state,
its PDF, its tables and the draft 公文), holding the writer lock meanwhile so that no upload changes the
raw tables while the bulletin reads the marts. When an upload slipped in between the build and the
bulletin (``MartsNotCurrent``) it builds again, at most ``BUILDS`` times. The request and its outcome
are in the audit log.
"""

from __future__ import annotations

import json
import logging
import secrets
from dataclasses import dataclass

from base import calendar
from base.settings import Settings
from exports.bulletin import BulletinResult
from orchestration.publish import MartsNotCurrent, publish_bulletins
from orchestration.warehouse import build_warehouse, writer_lock
from portal import audit
from portal.access import Account, Role
from portal.background import WakeableThread
from portal.store import connected

log = logging.getLogger("pingan.portal")

BUILDS = 3


class PublishRefused(Exception):
    """A publication not even started: the reason in Chinese."""


@dataclass(frozen=True)
class Publication:
    id: str
    period: str
    requested_by: str
    requested_at: str
    state: str  # queued | running | done | failed
    message: str | None
    outcome: list[dict]

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed")


def publishable(period_key: str) -> calendar.Period:
    """The period a bulletin may be published for now: a month, quarter or year that is over and not
    before the first assessed month; PublishRefused saying why not."""
    try:
        period = calendar.parse_period(period_key)
    except ValueError:
        raise PublishRefused("期间应写成 2022-03（月）、2022Q1（季）或 2022（年）") from None
    if period.months[0] < calendar.first_period():
        raise PublishRefused(
            f"{period.label}早于考核起始月份（{calendar.period_label(calendar.first_period())}）"
        )
    if period.last >= calendar.month_of(calendar.now()):
        raise PublishRefused(f"{period.label}尚未结束，结束后才能发布该期通报")
    return period


def request_publication(settings: Settings, account: Account, period_key: str, client: str | None) -> str:
    """Store a request to publish ``period_key``; its id. PublishRefused while another one is waiting or
    running, or when the period cannot be published."""
    period = publishable(period_key)
    now = calendar.local_now().isoformat()
    publication_id = secrets.token_hex(16)
    with connected(settings.home) as connection:
        connection.execute("begin immediate")
        busy = connection.execute(
            "select period from publications where state in ('queued', 'running') order by requested_at"
        ).fetchone()
        if busy is not None:
            raise PublishRefused(
                f"正在发布{calendar.period_label(busy['period'])}的通报，请等其完成后再发布（通常一两分钟）"
            )
        connection.execute(
            "insert into publications (id, period, account_id, requested_at, state) values (?, ?, ?, ?, 'queued')",
            [publication_id, period.key, account.id, now],
        )
    audit.record(settings.home, account, "publish", period=period.key, result="queued", client=client)
    return publication_id


def publication(settings: Settings, publication_id: str) -> Publication | None:
    if not publication_id.isalnum() or len(publication_id) > 64:
        return None
    with connected(settings.home) as connection:
        row = connection.execute(
            "select p.*, a.name from publications p join accounts a on a.id = p.account_id where p.id = ?",
            [publication_id],
        ).fetchone()
    if row is None:
        return None
    return Publication(
        row["id"],
        row["period"],
        row["name"],
        row["requested_at"],
        row["state"],
        row["message"],
        json.loads(row["outcome"]) if row["outcome"] else [],
    )


def outcome_words(bulletin: BulletinResult) -> str:
    if bulletin.reused:
        return "与已发布的通报数据相同，沿用已发布的通报（未重新生成）"
    if bulletin.correction:
        return f"数据有变化，已发布更正{bulletin.correction}（原通报保留）"
    return "已发布"


class Publisher(WakeableThread):
    """The thread that publishes the stored requests one after another (``start``/``stop``/``wake``)."""

    thread_name = "pingan-publish"

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self.settings = settings

    def start(self) -> None:
        with connected(self.settings.home) as connection:  # a request a stopped server left running
            connection.execute("update publications set state = 'queued' where state = 'running'")
        super().start()

    def _run(self) -> None:
        while not self._stop.is_set():
            with connected(self.settings.home) as connection:
                row = connection.execute(
                    "select p.id, p.period, a.id as account_id, a.name, a.role, a.unit_code from publications p"
                    " join accounts a on a.id = p.account_id where p.state = 'queued' order by p.requested_at"
                ).fetchone()
            if row is None:
                self._wake.wait(1.0)
                self._wake.clear()
                continue
            self._publish(row)

    def _publish(self, row) -> None:
        account = Account(row["account_id"], row["name"], Role(row["role"]), row["unit_code"])
        self._set(row["id"], "state = 'running', started_at = ?", calendar.local_now().isoformat())
        try:
            written = publish_now(self.settings, row["period"])
        except Exception as error:  # noqa: BLE001 - the office reads what went wrong
            log.exception("publishing %s failed", row["period"])
            message = f"发布未完成：{error}"
            self._set(
                row["id"],
                "state = 'failed', finished_at = ?, message = ?",
                calendar.local_now().isoformat(),
                message,
            )
            audit.record(
                self.settings.home, account, "publish", period=row["period"], result=f"failed:{error}"[:300]
            )
            return
        outcome = [
            {
                "period": b.period,
                "file": b.path.name,
                "correction": b.correction,
                "reused": b.reused,
                "pdf": b.pdf_path.name if b.pdf_path else None,
                "words": outcome_words(b),
            }
            for b in written
        ]
        self._set(
            row["id"],
            "state = 'done', finished_at = ?, message = ?, outcome = ?",
            calendar.local_now().isoformat(),
            "；".join(o["words"] for o in outcome),
            json.dumps(outcome, ensure_ascii=False),
        )
        audit.record(
            self.settings.home,
            account,
            "publish",
            period=row["period"],
            result="；".join(o["file"] for o in outcome),
        )

    def _set(self, publication_id: str, assignment: str, *values: object) -> None:
        with connected(self.settings.home) as connection:
            connection.execute(
                f"update publications set {assignment} where id = ?",  # assignments are this module's constants
                [*values, publication_id],
            )


def publish_now(settings: Settings, period: str) -> list[BulletinResult]:
    """Build the warehouse, then publish ``period`` as ``pingan report --period`` does."""
    builds = 0
    while True:
        build_warehouse(settings)
        builds += 1
        with writer_lock(settings):
            try:
                return publish_bulletins(settings, [period])
            except MartsNotCurrent:
                if builds >= BUILDS:
                    raise
