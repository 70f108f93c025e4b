with units as (
    select * from {{ ref('stg_units') }}
),

final as (
    select
        unit_code,
        unit_name,
        short_name,
        population,
        townships,
        sort_order
    from units
)

select * from final
