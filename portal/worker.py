"""The portal's one intake worker: uploads waiting in the store go through intake, one batch at a time.

Why a worker and a queue: DuckDB takes one writer, so every upload's intake runs under the home's writer
lock (``orchestration.warehouse.writer_lock``), one batch after another, in this thread. An upload is
durable before it waits (its bytes fsynced under ``<home>/portal/uploads/``, its row in the store as
``queued``), so a restart, a crash or a long wait loses nothing: the worker takes up whatever is queued
when it starts. Uploads that arrive while a batch runs go together into the next one (one Great
Expectations run for all of them), which is what keeps the deadline-day rush short.

While another process holds the writer lock (a dbt build, a bulletin run, ``pingan ingest``), the worker
waits ``lock_wait_seconds`` at a time and tries again; the upload's page meanwhile says the file is
safely received and queued, and refreshes itself. Holding the browser's request open for a whole build
(tens of seconds, minutes for a rebuild) would time out behind a proxy and tell the clerk nothing.

The worker is warm, so that one upload's verdict takes about a second: Great Expectations is imported
when it starts and its suites are set up once (``ingest.validate.SuitesContext``), and the sandbox
workers that will read the next upload (and write its feedback) are started while it waits
(``orchestration.intake.prepare_intake``).

Each answer is intake's own ``FileResult`` (``orchestration.intake.take_in_receipts``: the same path as
``pingan ingest``), stored with the upload. When the same upload is tried again after a failure that
came after its file was stored, intake answers "duplicate"; the worker then answers with the record
intake wrote for it (same bytes, same receipt time).

After uploads have changed the raw tables, the worker rebuilds the marts (``build_warehouse``, which
also refreshes the read copy the pages read) once no upload has arrived for ``refresh_after_seconds``,
or at the latest ``refresh_at_most_seconds`` after the first unbuilt upload.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from base import calendar
from base.offline_pages import localise, pages_changed_since
from base.sandbox import discard_prepared
from base.settings import Settings
from ingest.archive import Receipt
from ingest.results import FileResult, read_record
from ingest.validate import DocsAfterwards, SuitesContext
from orchestration.intake import prepare_intake, take_in_receipts
from orchestration.warehouse import WarehouseBuildError, build_warehouse, is_lock_error, writer_lock
from portal import audit
from portal.access import Account, Role
from portal.background import WakeableThread
from portal.config import PortalConfig
from portal.receiving import uploads_folder
from portal.store import connected

log = logging.getLogger("pingan.portal")

MAX_BATCH = 200
TRIES = 3  # an upload whose intake fails this often (alone) is answered "failed" for the office to see
LOCK_NOTE = (
    "数据仓库正在更新（例如正在生成通报）。文件已安全收到并排队，更新完成后会立即检查，本页会自动刷新。"
)
ERROR_NOTE = "检查时出现意外错误，文件已安全保存，系统将自动重试。"
FAILED_NOTE = "系统多次处理该文件均出错，文件已保存，请联系综治办。"


@dataclass(frozen=True)
class QueuedUpload:
    id: str
    account: Account
    unit_code: str
    file_name: str
    stored: Path
    size_bytes: int
    sha256: str
    received_at: str
    attempts: int
    client: str | None

    def receipt(self) -> Receipt:
        return Receipt(
            path=self.stored,
            file_name=self.file_name,
            sha256=self.sha256,
            size_bytes=self.size_bytes,
            received_at=self.received_at,
            filed_under=self.unit_code,
            observed_at=self.received_at,  # the upload's arrival is the time the portal received it
        )


def queue_upload(settings: Settings, account: Account, received, client: str | None) -> str:
    """Record a received file (``receiving.ReceivedFile``) as waiting for intake; returns the upload id."""
    now = calendar.local_now()
    with connected(settings.home) as connection:
        connection.execute(
            "insert into uploads (id, account_id, unit_code, file_name, stored_name, size_bytes, sha256,"
            " received_at, received_day, client, state) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued')",
            [
                received.upload_id,
                account.id,
                account.unit_code,
                received.file_name,
                received.stored.name,
                received.size_bytes,
                received.sha256,
                now.isoformat(),
                now.date().isoformat(),
                client,
            ],
        )
    return received.upload_id


def queued_batch(settings: Settings, limit: int) -> list[QueuedUpload]:
    """The oldest queued uploads, at most one per sha256 (the same bytes twice in one batch would be
    told apart only by order; the later one waits for the next batch and is answered "duplicate")."""
    with connected(settings.home) as connection:
        rows = connection.execute(
            "select u.*, a.name, a.role from uploads u join accounts a on a.id = u.account_id"
            " where u.state = 'queued' order by u.received_at, u.rowid limit ?",
            [limit * 2],
        ).fetchall()
    batch, seen = [], set()
    for row in rows:
        if row["sha256"] in seen:
            continue
        seen.add(row["sha256"])
        batch.append(
            QueuedUpload(
                id=row["id"],
                account=Account(row["account_id"], row["name"], Role(row["role"]), row["unit_code"]),
                unit_code=row["unit_code"],
                file_name=row["file_name"],
                stored=uploads_folder(settings.home) / row["stored_name"],
                size_bytes=row["size_bytes"],
                sha256=row["sha256"],
                received_at=row["received_at"],
                attempts=row["attempts"],
                client=row["client"],
            )
        )
    return batch[:limit]


class IntakeWorker(WakeableThread):
    """The thread that takes queued uploads in (``start``/``stop``); requests ``wake`` it and await
    their answer with ``answered``."""

    thread_name = "pingan-intake"

    def __init__(self, settings: Settings, config: PortalConfig) -> None:
        super().__init__()
        self.settings = settings
        self.config = config
        self._waiters: dict[str, list[tuple[asyncio.AbstractEventLoop, asyncio.Future]]] = {}
        self._waiters_lock = threading.Lock()
        self._single = False  # after a failed batch, one upload at a time until one succeeds
        self._last_change: float | None = None  # when uploads last changed the raw tables
        self._first_unbuilt: float | None = None
        self.ready = threading.Event()  # set once Great Expectations is imported (warm)
        self._suites: SuitesContext | None = None  # the validation suites, set up once (ingest.validate)

    # -- waiting for an answer --------------------------------------------------------------------

    async def answered(self, upload_id: str, seconds: float) -> bool:
        """Wait (without holding a thread) until the upload is answered, at most ``seconds``."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        with self._waiters_lock:
            self._waiters.setdefault(upload_id, []).append((loop, future))
        self.wake()
        if upload_state(self.settings, upload_id) != "queued":  # answered before we started waiting
            return True
        try:
            await asyncio.wait_for(future, seconds)
            return True
        except TimeoutError:
            return False
        finally:
            with self._waiters_lock:
                waiting = self._waiters.get(upload_id, [])
                if (loop, future) in waiting:
                    waiting.remove((loop, future))
                if not waiting:
                    self._waiters.pop(upload_id, None)

    def _tell(self, upload_id: str) -> None:
        with self._waiters_lock:
            waiting = self._waiters.pop(upload_id, [])
        for loop, future in waiting:
            loop.call_soon_threadsafe(_resolve, future)

    # -- the loop --------------------------------------------------------------------------------

    def _run(self) -> None:
        _warm_up()
        self._suites = SuitesContext(self.settings.home.quality)
        try:
            self._prepare()
            self.ready.set()
            while not self._stop.is_set():
                batch = queued_batch(self.settings, 1 if self._single else MAX_BATCH)
                if batch:
                    self._take(batch)
                    self._prepare()
                    continue
                if self._refresh_due():
                    self._refresh()
                    continue
                self._wake.wait(1.0)
                self._wake.clear()
        finally:
            discard_prepared()

    def _prepare(self) -> None:
        """Start the sandbox workers of the next upload now, so its verdict does not wait for them."""
        try:
            prepare_intake(self.settings)
        except Exception:  # noqa: BLE001 - the next intake then starts its own, as the command line does
            log.exception("starting the next upload's sandbox workers failed")

    def _take(self, batch: list[QueuedUpload]) -> None:
        home = self.settings.home
        _set(self.settings, batch, "attempts = attempts + 1")
        docs = DocsAfterwards(self._suites)
        with contextlib.ExitStack() as held:
            try:
                held.enter_context(writer_lock(self.settings, timeout=self.config.lock_wait_seconds))
                results = take_in_receipts([u.receipt() for u in batch], self.settings, suite_runner=docs)
            except Exception as error:  # noqa: BLE001 - an upload must never be lost to an error
                held.close()  # the lock is let go before waiting to try again
                if is_lock_error(error):
                    _set(self.settings, batch, "note = ?", LOCK_NOTE)
                    self._stop.wait(0.5)
                    return
                log.exception("intake of %d uploads failed", len(batch))
                self._failed(batch)
                return
            self._single = False
            for upload, result in zip(batch, results, strict=True):
                answer = result
                if result.status == "duplicate" and upload.attempts > 0:
                    earlier = read_record(home, upload.sha256)
                    if earlier is not None and earlier.received_at == upload.received_at:
                        answer = earlier  # an earlier try of this very upload stored it
                self._answer(upload, answer)
            self._write_quality_pages(docs)  # still under the lock: see _write_quality_pages
        if any(r.status != "duplicate" for r in results):
            now = time.monotonic()
            self._last_change = now
            self._first_unbuilt = self._first_unbuilt or now

    def _write_quality_pages(self, docs: DocsAfterwards) -> None:
        """The batch's Great Expectations Data Docs (the office's quality pages), written once its
        answers are out: a county's verdict does not wait for them. The caller still holds the writer
        lock: ``pingan ingest`` and the inbox sensor write the same folder under it, and GX rewrites the
        site's index in place and removes the pages of results its context does not hold, so two
        intakes writing at once would leave an index and pages of different batches."""
        quality = self.settings.home.quality
        started = time.time()
        try:
            docs.write_docs()
            localise(quality, pages_changed_since(quality, started))
        except Exception:  # noqa: BLE001 - the answers stand; the next batch writes the index again
            log.exception("writing the Data Docs of %s failed", quality)

    def _answer(self, upload: QueuedUpload, result: FileResult) -> None:
        with connected(self.settings.home) as connection:
            connection.execute(
                "update uploads set state = 'answered', note = null, status = ?, answer = ?, answered_at = ?"
                " where id = ?",
                [
                    result.status,
                    json.dumps(result.as_dict(), ensure_ascii=False),
                    calendar.local_now().isoformat(),
                    upload.id,
                ],
            )
        upload.stored.unlink(missing_ok=True)  # the archive holds the bytes now
        audit.record(
            self.settings.home,
            upload.account,
            "upload",
            period=result.period,
            sha256=upload.sha256,
            result=result.status,
            client=upload.client,
        )
        self._tell(upload.id)

    def _failed(self, batch: list[QueuedUpload]) -> None:
        if len(batch) > 1:
            self._single = True  # find the one that fails; the others go through alone
            _set(self.settings, batch, "note = ?", ERROR_NOTE)
            return
        (upload,) = batch
        if upload.attempts + 1 < TRIES:
            _set(self.settings, batch, "note = ?", ERROR_NOTE)
            self._stop.wait(2.0)
            return
        _set(self.settings, batch, "state = 'failed', note = ?", FAILED_NOTE)
        audit.record(
            self.settings.home,
            upload.account,
            "upload",
            sha256=upload.sha256,
            result="failed",
            client=upload.client,
        )
        self._tell(upload.id)

    # -- the marts after uploads -----------------------------------------------------------------

    def _refresh_due(self) -> bool:
        quiet = self.config.refresh_after_seconds
        if quiet is None or self._last_change is None:
            return False
        now = time.monotonic()
        return (
            now - self._last_change >= quiet
            or now - self._first_unbuilt >= self.config.refresh_at_most_seconds
        )

    def _refresh(self) -> None:
        started = time.monotonic()
        try:
            build_warehouse(self.settings)
        except WarehouseBuildError as error:
            log.error("%s", error)
        except Exception as error:  # noqa: BLE001 - the next upload or the schedule tries again
            if not is_lock_error(error):
                log.exception("warehouse refresh failed")
            self._first_unbuilt = self._last_change = time.monotonic()  # try again later
            return
        if self._last_change is not None and self._last_change > started:
            return  # uploads came in meanwhile: build again after them
        self._last_change = self._first_unbuilt = None


def upload_state(settings: Settings, upload_id: str) -> str | None:
    with connected(settings.home) as connection:
        row = connection.execute("select state from uploads where id = ?", [upload_id]).fetchone()
    return None if row is None else row["state"]


def _set(settings: Settings, batch: list[QueuedUpload], assignment: str, *values: object) -> None:
    with connected(settings.home) as connection:
        connection.executemany(
            f"update uploads set {assignment} where id = ?",  # assignments are this module's constants
            [[*values, upload.id] for upload in batch],
        )


def _resolve(future: asyncio.Future) -> None:
    if not future.done():
        future.set_result(None)


def _warm_up() -> None:
    """Import Great Expectations once, here, so no upload pays for it (intake then validates in place)."""
    import os

    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations  # noqa: F401
