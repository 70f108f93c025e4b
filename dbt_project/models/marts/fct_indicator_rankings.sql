with indicator_ranks as (
    select * from {{ ref('int_indicator_ranks') }}
),

final as (
    select
        current_ranks.indicator_code,
        current_ranks.period_type,
        current_ranks.period,
        current_ranks.unit_code,
        current_ranks.value,
        current_ranks.rank_basis,
        current_ranks.ranked_value,
        current_ranks.rank,
        current_ranks.units_ranked,
        (previous.rank - current_ranks.rank)::integer as rank_change,
        current_ranks.prefecture_mean,
        current_ranks.year
    from indicator_ranks as current_ranks
    left join indicator_ranks as previous
        on
            current_ranks.indicator_code = previous.indicator_code
            and current_ranks.unit_code = previous.unit_code
            and current_ranks.period_type = previous.period_type
            and previous.period_index = current_ranks.period_index - 1
)

select * from final
