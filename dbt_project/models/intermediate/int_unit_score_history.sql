-- Each unit's ranking against the previous period of the same type (int_previous_periods: the previous
-- month, also across a year boundary; the previous quarter; the previous year): rank_change = previous
-- rank - this rank (positive = moved up), and rank_change_status saying why there is none (macro
-- rank_change_status: a unit is "new" only when the previous period ranked others without it); how many
-- periods running the unit has been last.
with score_ranks as (
    select * from {{ ref('int_unit_score_ranks') }}
),

periods as (
    select * from {{ ref('int_periods') }}
),

previous_periods as (
    select * from {{ ref('int_previous_periods') }}
),

indexed as (
    select
        score_ranks.*,
        periods.period_index,
        score_ranks.rank is not null
        and score_ranks.units_ranked > 1
        and score_ranks.rank = max(score_ranks.rank) over (
            partition by score_ranks.period_type, score_ranks.period
        ) as is_last_place
    from score_ranks
    inner join periods
        on score_ranks.period_type = periods.period_type and score_ranks.period = periods.period
),

rankings as (
    select
        period_type,
        period_index,
        max(units_ranked) as units_ranked
    from indexed
    group by period_type, period_index
),

runs as (
    select
        *,
        period_index - row_number() over (
            partition by unit_code, period_type, is_last_place order by period_index
        ) as run_id
    from indexed
),

final as (
    select
        runs.* exclude (run_id),  -- noqa: RF02
        {{ rank_change('runs.rank', 'previous.rank') }} as rank_change,
        {{ rank_change_status(
            'runs.rank',
            'previous.rank',
            'previous_ranking.units_ranked',
            'previous_periods.previous_period',
            'previous_periods.previous_year_has_targets'
        ) }} as rank_change_status,
        case
            when runs.is_last_place
                then row_number() over (
                    partition by runs.unit_code, runs.period_type, runs.is_last_place, runs.run_id
                    order by runs.period_index
                )
            else 0
        end::integer as last_place_streak
    from runs
    inner join previous_periods
        on runs.period_type = previous_periods.period_type and runs.period = previous_periods.period
    left join indexed as previous
        on
            runs.unit_code = previous.unit_code
            and runs.period_type = previous.period_type
            and previous_periods.previous_period_index = previous.period_index
    left join rankings as previous_ranking
        on
            runs.period_type = previous_ranking.period_type
            and previous_periods.previous_period_index = previous_ranking.period_index
)

select * from final
