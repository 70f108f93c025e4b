-- Why: a file is rejected exactly when it has an error (ingest/intake.py). A rejected file without errors
-- would be kept out of the marts with no reason to give the county; an accepted one with errors would put
-- figures the checks refused into the bulletin. Fails with the file name of each such file.
{{ config(severity='error') }}

with submissions as (
    select * from {{ ref('stg_submissions') }}
),

final as (
    select file_name
    from submissions
    where (status = 'rejected') != (error_count > 0)
)

select * from final
