"""Dagster definitions by area: intake, warehouse, exports (each a plain wrapper around ingest/ and exports/)."""
