with source as (
    select * from {{ ref('units') }}
),

final as (
    select
        unit_code::varchar as unit_code,
        unit_name::varchar as unit_name,
        short_name::varchar as short_name,
        population::bigint as population,
        townships::integer as townships,
        sort_order::integer as sort_order
    from source
)

select * from final
