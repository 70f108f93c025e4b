-- The targets that count for each year: the lines of the year's targets workbook in use
-- (int_target_files_used: the latest accepted workbook with lines for that year).
with targets as (
    select * from {{ ref('stg_targets') }}
),

files_used as (
    select * from {{ ref('int_target_files_used') }}
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
    inner join files_used
        on targets.sha256 = files_used.sha256 and targets.year = files_used.year
)

select * from final
