"""Run one pingan job in a process of its own (tests that need two processes, or one to kill).

    python tests/orchestration/run_job.py HOME JOB [--partition P] [--intake-only] [--file PATH ...]

Prints one JSON line: {"run_id": ..., "success": ...}.
"""

import argparse
import json
import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
warnings.filterwarnings("ignore")

import dagster as dg  # noqa: E402

from base.settings import Settings  # noqa: E402
from orchestration.defs.build import build_definitions  # noqa: E402
from orchestration.defs.intake.assets import RAW_TABLES  # noqa: E402
from orchestration.runs import execute_job  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("home")
    parser.add_argument("job")
    parser.add_argument("--partition")
    parser.add_argument("--intake-only", action="store_true")
    parser.add_argument("--file", action="append", default=[])
    args = parser.parse_args()
    settings = Settings.from_env(args.home)
    home = settings.home
    definitions = build_definitions(settings)
    selection = [dg.AssetKey(["raw", t]) for t in RAW_TABLES] if args.intake_only else None
    config = {"ops": {"raw_tables": {"config": {"files": args.file, "settle_seconds": 0}}}}
    with dg.DagsterInstance.from_config(str(home.dagster_home)) as instance:
        result = execute_job(
            definitions,
            args.job,
            instance,
            partition_key=args.partition,
            asset_selection=selection,
            run_config=config,
        )
    print(json.dumps({"run_id": result.run_id, "success": result.success}), flush=True)


if __name__ == "__main__":
    main()
