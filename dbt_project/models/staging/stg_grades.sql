with source as (
    select * from {{ ref('grades') }}
),

final as (
    select
        grade::varchar as grade,
        min_score::double as min_score,
        sort_order::integer as sort_order
    from source
)

select * from final
