"""What is partitioned, and why.

Partitioned: the **bulletins**. A bulletin belongs to one period and is written once that period is
over, so ``monthly_bulletin`` is partitioned by month (keys are the warehouse's period keys, "2022-01",
from the ``first_period`` setting on), ``quarterly_bulletin`` by quarter ("2022Q1") and
``annual_bulletin`` by year ("2022"). Re-materialising an old partition republishes that period: an
unchanged bulletin is kept, a changed one is issued as a numbered correction (更正).

Each bulletin waits behind a **gate** of the same partitions (``monthly_submissions`` …, defs/exports/
gates.py) whose blocking check holds the period while one of its files is rejected and not corrected.

Not partitioned: **intake** and the **warehouse**. The inbox is not organised by month (a file's month is
known only after reading it, and one drop may hold several months and resubmissions of old ones), and
the warehouse has cross-month logic everywhere: year-to-date sums, last year's values, rank changes
against the previous period. One ``dbt build`` keeps it consistent; it computes again only the periods
that end in or after the first month whose raw rows changed (orchestration/warehouse.py, partial builds).

The partitions are built when the definitions are loaded (``period_partitions``), never on import: they
read the calendar's settings, and the quarter keys run to the year after the day of loading. Quarter
keys are a fixed list because Dagster's time windows cannot be named "2022Q1"; months and years are time
windows and grow by themselves. A time window is listed once it has ended (December's partition exists
from 1 January).
"""

import datetime as dt
from dataclasses import dataclass

import dagster as dg

from base import calendar


@dataclass(frozen=True)
class PeriodPartitions:
    monthly: dg.PartitionsDefinition
    quarterly: dg.PartitionsDefinition
    annual: dg.PartitionsDefinition


def period_partitions(today: dt.date | None = None) -> PeriodPartitions:
    """The month, quarter and year partitions from the ``first_period`` setting, in the office's zone."""
    zone = calendar.office_zone().key
    first = calendar.first_period()
    today = today or calendar.now().date()
    return PeriodPartitions(
        monthly=dg.MonthlyPartitionsDefinition(start_date=first, fmt="%Y-%m", timezone=zone),
        quarterly=dg.StaticPartitionsDefinition(calendar.quarter_keys(int(first[:4]), today.year + 1)),
        annual=dg.TimeWindowPartitionsDefinition(
            cron_schedule="0 0 1 1 *", start=first[:4], fmt="%Y", timezone=zone
        ),
    )
