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
the warehouse is small (the demo's two years build in seconds) and has cross-month logic everywhere:
year-to-date sums, last year's values, rank changes against the previous period. Rebuilding it whole
with one ``dbt build`` is simpler and always consistent; per-month dbt runs would buy nothing.

Quarter keys are a fixed list (through next year) because Dagster's time windows cannot be named
"2022Q1"; months and years are time windows and grow by themselves. A time window is listed once it
has ended (December's partition exists from 1 January).
"""

import datetime as dt

import dagster as dg

from orchestration import periods

ZONE = periods.office_zone().key
FIRST_PERIOD = periods.first_period()

monthly_partitions = dg.MonthlyPartitionsDefinition(start_date=FIRST_PERIOD, fmt="%Y-%m", timezone=ZONE)

quarterly_partitions = dg.StaticPartitionsDefinition(
    periods.quarter_keys(int(FIRST_PERIOD[:4]), dt.date.today().year + 1)
)

annual_partitions = dg.TimeWindowPartitionsDefinition(
    cron_schedule="0 0 1 1 *", start=FIRST_PERIOD[:4], fmt="%Y", timezone=ZONE
)
