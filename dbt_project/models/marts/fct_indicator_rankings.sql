-- The league tables with each unit's rank change against the previous period of the same type
-- (int_previous_periods). January's year-to-date table compares with last December's, the table the
-- previous month's bulletin printed. rank_change_status says why there is no change (macro
-- rank_change_status): "new" only when the previous table ranked other units without this one.
with indicator_ranks as (
    select * from {{ ref('int_indicator_ranks') }}
),

rebuilt_ranks as (
    select * from indicator_ranks
    where {{ is_rebuilt_period() }}
),

previous_periods as (
    select * from {{ ref('int_previous_periods') }}
),

tables as (
    select
        indicator_code,
        period_type,
        period_index,
        max(units_ranked) as units_ranked
    from indicator_ranks
    group by indicator_code, period_type, period_index
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
        {{ rank_change('current_ranks.rank', 'previous.rank') }} as rank_change,
        {{ rank_change_status(
            'current_ranks.rank',
            'previous.rank',
            'previous_table.units_ranked',
            'previous_periods.previous_period',
            'true'
        ) }} as rank_change_status,
        current_ranks.prefecture_mean,
        current_ranks.year
    from rebuilt_ranks as current_ranks
    inner join previous_periods
        on
            current_ranks.period_type = previous_periods.period_type
            and current_ranks.period = previous_periods.period
    left join indicator_ranks as previous
        on
            current_ranks.indicator_code = previous.indicator_code
            and current_ranks.unit_code = previous.unit_code
            and current_ranks.period_type = previous.period_type
            and previous_periods.previous_period_index = previous.period_index
    left join tables as previous_table
        on
            current_ranks.indicator_code = previous_table.indicator_code
            and current_ranks.period_type = previous_table.period_type
            and previous_periods.previous_period_index = previous_table.period_index
)

select * from final
order by period_type, period  -- a period's rows together (macros/rebuilt_periods.sql)
