-- Why: an accepted file must bring its rows. An accepted monthly report without indicator rows would
-- enter the marts as a unit that reported nothing, and the bulletin would publish its blanks as the
-- county's figures; an accepted targets workbook without target lines would become the year's workbook
-- in use and silently drop every unit's targets and scores. Intake writes a file's rows in the same
-- transaction as the file, so this means the raw tables were damaged. Fails with each such file.
{{ config(severity='error') }}

with submissions as (
    select * from {{ ref('stg_submissions') }}
),

indicator_values as (
    select * from {{ ref('stg_indicator_values') }}
),

targets as (
    select * from {{ ref('stg_targets') }}
),

files_with_rows as (
    select distinct
        sha256,
        'monthly_report' as kind
    from indicator_values
    union all
    select distinct
        sha256,
        'targets' as kind
    from targets
),

final as (
    select
        submissions.kind,
        submissions.file_name
    from submissions
    left join files_with_rows
        on submissions.sha256 = files_with_rows.sha256 and submissions.kind = files_with_rows.kind
    where submissions.status != 'rejected' and files_with_rows.sha256 is null
)

select * from final
