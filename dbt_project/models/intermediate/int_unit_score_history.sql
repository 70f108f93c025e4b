-- Each unit's ranking against the previous period of the same type (previous month, also across a year
-- boundary; previous quarter; previous year): rank_change = previous rank - this rank (positive = moved
-- up; null when not ranked then), and how many periods running the unit has been last.
with score_ranks as (
    select * from {{ ref('int_unit_score_ranks') }}
),

periods as (
    select * from {{ ref('int_periods') }}
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
        previous.rank - runs.rank as rank_change,
        case
            when runs.is_last_place
                then row_number() over (
                    partition by runs.unit_code, runs.period_type, runs.is_last_place, runs.run_id
                    order by runs.period_index
                )
            else 0
        end::integer as last_place_streak
    from runs
    left join indexed as previous
        on
            runs.unit_code = previous.unit_code
            and runs.period_type = previous.period_type
            and previous.period_index = runs.period_index - 1
)

select * from final
