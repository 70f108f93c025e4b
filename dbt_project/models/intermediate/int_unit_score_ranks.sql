-- Competition ranking (1, 2, 2, 4) of units by score within each period: units without a veto first by
-- score, then vetoed units by score (a veto ranks a unit after every unit without one). Units with no
-- score (no evaluated target) are not ranked.
with unit_scores as (
    select * from {{ ref('int_unit_scores') }}
),

ranked as (
    select
        *,
        rank() over (
            partition by period_type, period
            order by score is null, veto asc, score desc
        ) as position,
        count(score) over (partition by period_type, period) as ranked_count
    from unit_scores
),

final as (
    select
        * exclude (position, ranked_count),
        case when score is not null then position end::integer as rank,
        ranked_count::integer as units_ranked
    from ranked
)

select * from final
