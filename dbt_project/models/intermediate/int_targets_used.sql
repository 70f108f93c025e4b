-- The targets that count for each year: the lines of the latest accepted targets workbook that has
-- lines for that year (highest version, then latest received). Rejected workbooks never count.
with targets as (
    select * from {{ ref('stg_targets') }}
),

submissions as (
    select * from {{ ref('stg_submissions') }}
    where kind = 'targets' and status in ('accepted', 'accepted_with_warnings')
),

files_by_year as (
    select distinct
        targets.year,
        submissions.sha256,
        submissions.version,
        submissions.received_at
    from targets
    inner join submissions on targets.sha256 = submissions.sha256
),

latest_file as (
    select
        year,
        sha256
    from files_by_year
    qualify row_number() over (
        partition by year order by version desc nulls last, received_at desc, sha256 asc
    ) = 1
),

final as (
    select
        targets.year,
        targets.unit_code,
        targets.indicator_code,
        targets.target_type,
        targets.target_value,
        targets.points,
        targets.is_veto,
        targets.note,
        targets.sha256
    from targets
    inner join latest_file
        on targets.sha256 = latest_file.sha256 and targets.year = latest_file.year
)

select * from final
