with source as (
    select * from {{ ref('grades') }}
),

final as (
    select
        grade::varchar as grade,
        min_score::double as min_score,
        sort_order::integer as sort_order,
        is_veto_grade::boolean as is_veto_grade,
        is_yellow_card::boolean as is_yellow_card
    from source
)

select * from final
