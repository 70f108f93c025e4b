with target_reasons as (
    select * from {{ ref('int_target_reasons') }}
),

final as (
    select
        unit_code,
        year,
        period,
        period_type,
        indicator_code,
        target_type,
        target_value,
        target_value_effective,
        actual_value,
        evaluated,
        attained,
        points,
        points_earned,
        is_veto,
        veto_failed,
        reason,
        months_elapsed,
        value as value_ytd,
        baseline_value
    from target_reasons
)

select * from final
