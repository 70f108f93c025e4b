with source as (
    select * from {{ ref('indicators') }}
),

final as (
    select
        indicator_code::varchar as indicator_code,
        indicator_name::varchar as indicator_name,
        measure_unit::varchar as measure_unit,
        kind::varchar as kind,
        direction::varchar as direction,
        value_type::varchar as value_type,
        nullif(trim(numerator_code), '')::varchar as numerator_code,
        nullif(trim(denominator_code), '')::varchar as denominator_code,
        is_survey::boolean as is_survey,
        compare_per_10k::boolean as compare_per_10k,
        is_key::boolean as is_key,
        sort_order::integer as sort_order,
        max_per_10k_residents::double as max_per_10k_residents
    from source
)

select * from final
