-- Why: an accepted targets workbook with no target lines would become the year's targets workbook in use
-- (the latest accepted version) and silently drop every unit's targets and scores for the year.
-- Fails with the file name of each such workbook.
{{ config(severity='error') }}

with submissions as (
    select * from {{ ref('stg_submissions') }}
),

targets as (
    select * from {{ ref('stg_targets') }}
),

final as (
    select submissions.file_name
    from submissions
    where
        submissions.kind = 'targets'
        and submissions.status != 'rejected'
        and not exists (
            select 1 from targets
            where targets.sha256 = submissions.sha256
        )
)

select * from final
