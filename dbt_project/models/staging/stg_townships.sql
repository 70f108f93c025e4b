with source as (
    select * from {{ ref('townships') }}
),

final as (
    select
        unit_code::varchar as unit_code,
        township_no::integer as township_no,
        township_name::varchar as township_name
    from source
)

select * from final
