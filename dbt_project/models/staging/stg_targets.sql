with source as (
    select * from {{ source('raw', 'targets') }}
),

final as (
    select
        sha256::varchar as sha256,
        year::integer as year,
        unit_code::varchar as unit_code,
        indicator_code::varchar as indicator_code,
        target_type::varchar as target_type,
        target_value::double as target_value,
        points::double as points,
        is_veto::boolean as is_veto,
        note::varchar as note,
        cell::varchar as cell
    from source
)

select * from final
