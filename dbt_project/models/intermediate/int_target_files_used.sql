-- The targets workbook that counts for each year: the latest accepted workbook that has lines for that
-- year (highest version, then latest received). Rejected workbooks never count. int_targets_used takes
-- its lines; fct_target_files shows which file it was.
with targets as (
    select * from {{ ref('stg_targets') }}
),

submissions as (
    select * from {{ ref('stg_submissions') }}
    where kind = 'targets' and status in ('accepted', 'accepted_with_warnings')
),

files_by_year as (
    select
        targets.year,
        submissions.sha256,
        any_value(submissions.file_name) as file_name,
        any_value(submissions.version) as version,
        any_value(submissions.status) as status,
        any_value(submissions.received_at) as received_at,
        count(*) as target_lines
    from targets
    inner join submissions on targets.sha256 = submissions.sha256
    group by targets.year, submissions.sha256
),

final as (
    select *
    from files_by_year
    qualify row_number() over (
        partition by year order by version desc nulls last, received_at desc, sha256 asc
    ) = 1
)

select * from final
