-- Why: no count, amount, score or target is infinite or not a number. Intake refuses such a cell (VAL01),
-- so one here means the raw tables were written another way; the marts would turn it into a rate of
-- 1.28e306, a prefecture mean of inf, or a blank that ranks the unit last. Fails with each such value,
-- the file and the cell.
{{ config(severity='error') }}

with indicator_values as (
    select * from {{ ref('stg_indicator_values') }}
),

township_values as (
    select * from {{ ref('stg_township_values') }}
),

targets as (
    select * from {{ ref('stg_targets') }}
),

submissions as (
    select * from {{ ref('stg_submissions') }}
),

township_figures as (
    unpivot township_values
    on d02, d03, p02, c01, g03
    into name figure value value
),

values_read as (
    select sha256, cell, value from indicator_values
    union all
    select sha256, last_year_cell as cell, value_last_year_reported from indicator_values
    union all
    select sha256, null as cell, target_value from targets
    union all
    select sha256, township_name || ' ' || figure as cell, value from township_figures
),

final as (
    select
        submissions.file_name,
        values_read.cell,
        values_read.value
    from values_read
    inner join submissions on values_read.sha256 = submissions.sha256
    where not isfinite(values_read.value)
)

select * from final
