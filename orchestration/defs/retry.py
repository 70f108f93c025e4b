"""The one answer to "the warehouse is busy": a step that meets another writer is retried later.

DuckDB allows one writing process per file and pingan's own writer lock serialises writers across
processes (orchestration/warehouse.py). A step that cannot get either in time asks Dagster to run it
again in ``LOCK_RETRY_SECONDS``, up to ``LOCK_RETRIES`` times, instead of failing the run.
"""

import contextlib
from collections.abc import Iterator

import dagster as dg

from orchestration.warehouse import is_lock_error

LOCK_RETRIES = 3
LOCK_RETRY_SECONDS = 30
# The same waits for asset checks, which take a retry policy instead of RetryRequested.
LOCK_RETRY_POLICY = dg.RetryPolicy(max_retries=LOCK_RETRIES, delay=LOCK_RETRY_SECONDS)


@contextlib.contextmanager
def retry_when_busy() -> Iterator[None]:
    """Turn a busy warehouse inside the block into Dagster's RetryRequested."""
    try:
        yield
    except Exception as error:
        if is_lock_error(error):
            raise dg.RetryRequested(max_retries=LOCK_RETRIES, seconds_to_wait=LOCK_RETRY_SECONDS) from error
        raise
