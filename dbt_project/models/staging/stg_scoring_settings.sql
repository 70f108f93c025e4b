with source as (
    select * from {{ ref('scoring_settings') }}
),

final as (
    select
        trim(setting)::varchar as setting,
        trim(value)::varchar as value,
        description::varchar as description
    from source
)

select * from final
