-- Why: an accepted monthly report with no indicator rows would enter the marts as a unit that reported
-- nothing, and the bulletin would publish its blanks as if they were the county's figures. Intake writes
-- a file's rows in the same transaction as the file, so this means the raw tables were damaged.
-- Fails with the file name of each such report.
{{ config(severity='error') }}

with submissions as (
    select * from {{ ref('stg_submissions') }}
),

indicator_values as (
    select * from {{ ref('stg_indicator_values') }}
),

final as (
    select submissions.file_name
    from submissions
    where
        submissions.kind = 'monthly_report'
        and submissions.status != 'rejected'
        and not exists (
            select 1 from indicator_values
            where indicator_values.sha256 = submissions.sha256
        )
)

select * from final
