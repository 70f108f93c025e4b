"""The county portal: a county uploads its workbook and sees the verdict and the cells at once.

A web application (Starlette, served by uvicorn) on top of ``orchestration``: uploads go through the
same intake as the inbox (``orchestration.intake.take_in_receipts``), one writer at a time; pages read
the answers intake recorded (``ingest.results``), the archive's ledger and the warehouse's read copy,
never the live warehouse. Accounts, sessions, queued uploads and the audit log live under
``<home>/portal/``. Nothing below ``orchestration`` imports this package; the command line does.

    config.py     limits and timeouts of the portal (one place)
    access.py     roles, and which role may do what for which unit
    store.py      the SQLite file of accounts, sessions and uploads
    passwords.py  Argon2id hashes and generated passwords
    accounts.py   adding, listing, disabling accounts and resetting passwords (the CLI's ``users``)
    sessions.py   server-side sessions: login, lockout, idle timeout, revocation, CSRF tokens
    audit.py      the append-only audit log, joined to the archive's ledger by sha256
    security.py   security headers, the Origin check, CSRF checks
    receiving.py  an upload's body, within its limits, into a server-named file
    worker.py     the one intake worker: queued uploads → intake → answers; the warehouse refresh
    history.py    a unit's files and versions, from the ledger and the result records
    pages.py      the pages; app.py puts them together; server.py runs uvicorn
"""
