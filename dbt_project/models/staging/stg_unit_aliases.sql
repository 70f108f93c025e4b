with source as (
    select * from {{ ref('unit_aliases') }}
),

final as (
    select
        alias::varchar as alias,
        unit_code::varchar as unit_code
    from source
)

select * from final
