-- The township rows (乡镇明细) of the version used of each unit's month (int_submissions_used: the
-- latest accepted report). Rows of superseded or rejected files never get here.
with submissions_used as (
    select * from {{ ref('int_submissions_used') }}
),

township_values as (
    select * from {{ ref('stg_township_values') }}
),

final as (
    select
        submissions_used.unit_code,
        submissions_used.period,
        year(submissions_used.month_start)::integer as year,
        township_values.township_name,
        township_values.row_number,
        township_values.d02,
        township_values.d03,
        township_values.has_centre,
        township_values.p02,
        township_values.c01,
        township_values.g03,
        submissions_used.sha256,
        submissions_used.version
    from submissions_used
    inner join township_values on submissions_used.sha256 = township_values.sha256
)

select * from final
