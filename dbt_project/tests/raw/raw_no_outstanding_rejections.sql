-- Why: a unit's month (or a year's targets) whose newest file was rejected still owes the office a
-- corrected file. This only warns: a rejected file never reaches the marts, and one county's error must
-- not stop the warehouse for everyone; the bulletin of that period is held by its own gate
-- (orchestration/defs/exports/gates.py). Lists each such file, for the office to chase.
{{ config(severity='warn') }}

with submissions as (
    select * from {{ ref('stg_submissions') }}
),

newest as (
    select
        *,
        row_number() over (partition by kind, unit_code, period order by version desc) as recency
    from submissions
    where version is not null
),

final as (
    select
        unit_code,
        period,
        file_name,
        error_count
    from newest
    where recency = 1 and status = 'rejected'
)

select * from final
