with source as (
    select * from {{ ref('target_types') }}
),

final as (
    select
        target_type::varchar as target_type,
        label::varchar as label,
        description::varchar as description,
        nullif(trim(indicator_kind), '')::varchar as indicator_kind,
        nullif(trim(indicator_value_type), '')::varchar as indicator_value_type,
        nullif(trim(applies_to), '')::varchar as applies_to,
        nullif(trim(target_value_type), '')::varchar as target_value_type,
        sort_order::integer as sort_order
    from source
)

select * from final
