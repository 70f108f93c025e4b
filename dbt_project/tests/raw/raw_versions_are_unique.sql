-- Why: "the version used" is the highest accepted version of a unit's month (or a year's targets). Two
-- files holding the same version make that choice depend on the order rows happen to come in, so the
-- published figures could change without anything being received. Fails with each doubled version.
{{ config(severity='error') }}

with submissions as (
    select * from {{ ref('stg_submissions') }}
),

final as (
    select
        kind,
        unit_code,
        period,
        version,
        count(*) as files
    from submissions
    where version is not null
    group by kind, unit_code, period, version
    having count(*) > 1
)

select * from final
