"""Orchestration: the Dagster definitions, the command line and the PINGAN_ environment."""
