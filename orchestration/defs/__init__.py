"""Dagster definitions by area, each a thin wrapper around plain functions in ingest/, exports/ and
orchestration/: intake (assets, sensors), warehouse (dbt), exports (assets, schedules), alerts
(sensors); partitions.py and jobs.py are shared. build.py assembles them for one home."""
