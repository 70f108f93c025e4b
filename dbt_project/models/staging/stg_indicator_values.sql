with source as (
    select * from {{ source('raw', 'indicator_values') }}
),

final as (
    select
        sha256::varchar as sha256,
        indicator_code::varchar as indicator_code,
        value::double as value,
        value_last_year::double as value_last_year_reported,
        remark::varchar as remark,
        cell::varchar as cell,
        last_year_cell::varchar as last_year_cell,
        raw_value::varchar as raw_value
    from source
)

select * from final
