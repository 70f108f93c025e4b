with indicators as (
    select * from {{ ref('stg_indicators') }}
),

final as (
    select
        indicator_code,
        indicator_name,
        measure_unit,
        kind,
        direction,
        value_type,
        numerator_code,
        denominator_code,
        is_survey,
        compare_per_10k,
        is_key,
        sort_order,
        max_per_10k_residents
    from indicators
)

select * from final
