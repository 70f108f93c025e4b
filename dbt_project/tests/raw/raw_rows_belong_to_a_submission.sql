-- Why: every indicator, township, finding and target row comes from one file in raw.submissions. Rows
-- of an unknown file have no unit, period, version or status: nothing could say whether they count, and
-- the bulletin's manifest could not name where they came from. Fails with each unknown sha256.
{{ config(severity='error') }}

with submissions as (
    select * from {{ ref('stg_submissions') }}
),

rows_received as (
    select sha256 from {{ ref('stg_indicator_values') }}
    union all
    select sha256 from {{ ref('stg_township_values') }}
    union all
    select sha256 from {{ ref('stg_findings') }}
    union all
    select sha256 from {{ ref('stg_targets') }}
),

final as (
    select distinct rows_received.sha256
    from rows_received
    where not exists (
        select 1 from submissions
        where submissions.sha256 = rows_received.sha256
    )
)

select * from final
