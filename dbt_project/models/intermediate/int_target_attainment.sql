-- Whether each target is met at each window, and the points it earns.
--   Survey indicators (S01-S03) with no result yet in the window are not evaluated (attained null).
--   Any other missing actual is evaluated as not attained (0 points).
--   Met: full points. Not met: min targets earn points x actual / target, capped at the points (0 when
--   the target is <= 0); other types earn 0.
with target_actuals as (
    select * from {{ ref('int_target_actuals') }}
),

evaluated as (
    select
        *,
        not(is_survey and value is null) as evaluated
    from target_actuals
),

judged as (
    select
        *,
        case
            when not evaluated then null
            when actual_value is null or target_value_effective is null then false
            when target_type = 'min' then actual_value >= target_value_effective
            when target_type = 'max' then actual_value <= target_value_effective
            when target_type = 'rank_within' then actual_value <= target_value_effective
            when target_type = 'rank_up' then actual_value >= target_value_effective
            when target_type = 'improve' then actual_value > target_value_effective
            when target_type = 'growth' then actual_value >= target_value_effective
        end as attained
    from evaluated
),

final as (
    select
        *,
        case
            when not evaluated then null
            when attained then points
            when target_type = 'min' and target_value_effective > 0 and actual_value > 0
                then least(points, points * actual_value / target_value_effective)
            else 0
        end::double as points_earned,
        coalesce(is_veto and attained = false, false) as veto_failed
    from judged
)

select * from final
