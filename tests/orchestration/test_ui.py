"""``pingan ui`` serves the Dagster UI on localhost: started on a free port with a temporary home, its
GraphQL endpoint lists the asset graph (with groups) and the schedules, then it is stopped."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from portal.server import free_port

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
QUERY = """
{
  assetNodes { assetKey { path } groupName }
  repositoriesOrError {
    ... on RepositoryConnection {
      nodes { name schedules { name cronSchedule executionTimezone } sensors { name } }
    }
  }
}
"""


def graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())["data"]


def running_in_group(group: int) -> list[int]:
    """Processes of the group that are still running (zombies waiting to be reaped do not count)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def stop_group(process: subprocess.Popen) -> None:
    """SIGTERM to ``pingan ui`` (it stops dagster dev); wait for the whole process group, then SIGKILL."""
    process.terminate()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        process.poll()
        if not running_in_group(process.pid):
            break
        time.sleep(0.5)
    else:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def test_ui_serves_the_asset_graph_and_the_schedules(new_home):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "orchestration.cli", "ui", "--home", str(new_home.root), "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        deadline, data = time.monotonic() + 90, None
        while time.monotonic() < deadline:
            assert process.poll() is None, "the UI exited"
            try:
                data = graphql(port, QUERY)
                if data["assetNodes"] and data["repositoriesOrError"].get("nodes"):
                    break
            except OSError:
                pass
            time.sleep(1)
        assert data, "the UI did not answer within 90 s"
    finally:
        stop_group(process)

    groups = {"/".join(node["assetKey"]["path"]): node["groupName"] for node in data["assetNodes"]}
    assert groups["raw/submissions"] == "intake"
    assert groups["marts/fct_unit_scores"] == "warehouse"
    assert groups["monthly_bulletin"] == "exports"
    (repository,) = data["repositoriesOrError"]["nodes"]
    schedules = {s["name"]: (s["cronSchedule"], s["executionTimezone"]) for s in repository["schedules"]}
    assert schedules["monthly_bulletin_schedule"] == ("0 8 6 * *", "Asia/Shanghai")
    assert schedules["deadline_reminder"] == ("0 9 5 * *", "Asia/Shanghai")
    assert {s["name"] for s in repository["sensors"]} == {"inbox_sensor", "failure_alerts"}
    assert (new_home.dagster_home / "dagster.yaml").exists()  # Dagster's storage is inside the home
