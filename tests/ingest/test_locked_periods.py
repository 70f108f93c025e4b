"""A month the office accepted (受理) takes no new version until it is returned (ID09), judged at arrival.

The lock comes from the approval record the county portal keeps in the home (``base.approvals``);
intake reads it without the portal. A file that arrived while the month was locked is refused with
since when and by whom; one that arrived before the acceptance or after the return is taken. A rebuild
from the archive answers every file as intake did."""

from __future__ import annotations

from pathlib import Path

from base.approvals import ACCEPT, RETURN, SIGN_OFF, Step, write_approval_record
from base.settings import Home
from ingest.archive import Receipt, sha256_of
from ingest.intake import ingest_receipts, rebuild_raw
from tests.ingest.workbooks import consistent_values, write_report

DAFANG = "522422"


def receipt(path: Path, received_at: str) -> Receipt:
    return Receipt(path, path.name, sha256_of(path), path.stat().st_size, received_at, DAFANG)


def report(tmp_path: Path, name: str, k05: int) -> Path:
    return write_report(
        tmp_path / name, unit="大方县", period="2022-01", values=consistent_values() | {"K05": k05}
    )


def test_a_file_arriving_while_the_month_is_accepted_is_refused_and_a_rebuild_refuses_it_again(tmp_path):
    home = Home(tmp_path / "home")
    first = report(tmp_path, "v1.xlsx", 10)
    (taken,) = ingest_receipts([receipt(first, "2022-02-03T10:00:00")], home)
    assert (taken.status, taken.version) == ("accepted", 1)

    def step(action: str, at: str, by: str, note: str | None = None) -> Step:
        return Step(action, DAFANG, "2022-01", 1, taken.sha256, at, by, "综治办", note)

    write_approval_record(
        home,
        [
            step(SIGN_OFF, "2022-02-04T09:00:00", "大方县审核人"),
            step(ACCEPT, "2022-02-06T15:30:00", "综治办王五"),
            step(RETURN, "2022-02-20T11:00:00", "综治办王五", "请核对 K05"),
        ],
    )
    during = receipt(report(tmp_path, "v2.xlsx", 11), "2022-02-10T08:00:00")
    after = receipt(report(tmp_path, "v3.xlsx", 12), "2022-02-21T08:00:00")
    refused, retaken = ingest_receipts([during, after], home)

    assert (refused.status, refused.version) == ("rejected", 2)
    (finding,) = refused.errors
    assert (finding["rule_id"], finding["cell"], finding["severity"]) == ("ID09", "B3", "error")
    assert (
        finding["message"]
        == "大方县2022年1月的月报已于2022-02-06 15:30由综治办王五受理，该月已锁定，不再接收新的版本"
    )
    assert (retaken.status, retaken.version) == ("accepted", 3)

    rebuilt = {r.sha256: (r.status, r.version, [e["rule_id"] for e in r.errors]) for r in rebuild_raw(home)}
    assert rebuilt == {
        taken.sha256: ("accepted", 1, []),
        refused.sha256: ("rejected", 2, ["ID09"]),
        retaken.sha256: ("accepted", 3, []),
    }


def test_without_any_approval_step_nothing_is_locked(tmp_path):
    home = Home(tmp_path / "home")
    first, second = report(tmp_path, "v1.xlsx", 10), report(tmp_path, "v2.xlsx", 11)
    answers = ingest_receipts(
        [receipt(first, "2022-02-03T10:00:00"), receipt(second, "2022-02-10T10:00:00")], home
    )
    assert [(a.status, a.version) for a in answers] == [("accepted", 1), ("accepted", 2)]
