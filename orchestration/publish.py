"""Which bulletins to publish, and publishing them from the built marts."""

from __future__ import annotations

import duckdb

from exports.bulletin import BulletinResult, write_bulletin
from orchestration.settings import Home


def default_bulletin_periods(home: Home) -> list[str]:
    """The latest scored month; its quarter when the month ends one; its year when it is December."""
    with duckdb.connect(str(home.warehouse), read_only=True) as connection:
        row = connection.execute(
            "select max(period) from marts.fct_unit_scores where period_type = 'month'"
        ).fetchone()
    if not row or row[0] is None:
        return []
    month = row[0]
    year, number = int(month[:4]), int(month[5:7])
    periods = [month]
    if number % 3 == 0:
        periods.append(f"{year}Q{number // 3}")
    if number == 12:
        periods.append(str(year))
    return periods


def publish_bulletins(home: Home, periods: list[str] | None = None) -> list[BulletinResult]:
    """Write the bulletin of each period under <home>/reports/<period>/."""
    chosen = periods or default_bulletin_periods(home)
    return [write_bulletin(home.warehouse, period, home.reports / period) for period in chosen]
