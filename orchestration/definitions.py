"""The one entry point Dagster loads (``dagster dev``, ``dagster definitions validate``, ``pingan demo``)."""

from __future__ import annotations

from orchestration.defs.build import build_definitions

defs = build_definitions()
