"""The portal's limits and timeouts, in one place.

The size of an upload is the reader's own limit (``Limits.max_file_bytes``, ``PINGAN_MAX_FILE_MB``): a
file the portal accepts is one intake will open. Everything else is here; tests shorten the timeouts.
"""

from __future__ import annotations

from dataclasses import dataclass

# What a county may upload: the formats intake reads. The suffix picks the stored file's extension from
# this list, so no part of the name a browser sends ever reaches a path.
UPLOAD_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
FORM_OVERHEAD_BYTES = 64 * 1024  # multipart boundaries, headers and the CSRF field around the file
SMALL_FORM_BYTES = 16 * 1024  # every form without a file (login, logout)


@dataclass(frozen=True)
class PortalConfig:
    session_idle_seconds: float = 30 * 60  # signed out after this long without a request
    session_max_seconds: float = 12 * 3600  # and after a working day whatever happens
    failed_logins_allowed: int = 5  # consecutive wrong passwords before the account is locked
    lockout_seconds: float = 15 * 60
    answer_wait_seconds: float = 15.0  # an upload's request waits this long for its verdict, then
    # answers with a page that says the file is queued and refreshes itself
    lock_wait_seconds: float = 2.0  # the intake worker's bounded wait for the writer lock per try
    queued_per_account: int = 3  # uploads of one account waiting for intake at once
    uploads_per_day: int = 60  # uploads of one account per day (a clerk sends a few a month)
    refresh_after_seconds: float | None = 60.0  # marts rebuilt after this long without new uploads
    refresh_at_most_seconds: float = 600.0  # ... or this long after the first unbuilt upload
    public_origin: str | None = None  # e.g. https://pingan.example.gov.cn when a proxy rewrites Host
