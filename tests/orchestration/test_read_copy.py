"""The read copy a build leaves for the county portal: the tables its pages read, as the build made them."""

import duckdb

from orchestration.status import submission_status
from orchestration.warehouse import READ_COPY_TABLES


def tables(path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(path), read_only=True) as connection:
        names = [
            f"{schema}.{name}"
            for schema, name in connection.execute(
                "select schema_name, table_name from duckdb_tables() order by all"
            ).fetchall()
        ]
        return {name: connection.execute(f"select * from {name} order by all").fetchall() for name in names}


def test_the_read_copy_holds_the_tables_the_portal_reads_as_built(built_home):
    home = built_home.home
    copied = tables(home.warehouse_read_copy)
    assert sorted(copied) == sorted(READ_COPY_TABLES)
    live = tables(home.warehouse)
    assert all(copied[name] == live[name] for name in READ_COPY_TABLES)
    assert copied["marts.fct_submission_status"] and copied["marts.fct_validation_findings"]
    assert home.warehouse_read_copy.stat().st_size < home.warehouse.stat().st_size / 4
    for period in ("2022-11", "2022-12"):
        from_copy = submission_status(home, period, read_copy=True)
        assert from_copy.source == "marts"
        assert from_copy.units == submission_status(home, period).units
        assert {u.status for u in from_copy.units} >= {"已报"}
