with target_reasons as (
    select * from {{ ref('int_target_reasons') }}
),

target_types as (
    select * from {{ ref('stg_target_types') }}
),

final as (
    select
        target_reasons.unit_code,
        target_reasons.year,
        target_reasons.period,
        target_reasons.period_type,
        target_reasons.indicator_code,
        target_reasons.target_type,
        target_reasons.target_value,
        target_reasons.target_value_effective,
        target_reasons.actual_value,
        target_reasons.evaluated,
        target_reasons.attained,
        target_reasons.points,
        target_reasons.points_earned,
        target_reasons.is_veto,
        target_reasons.veto_failed,
        target_reasons.reason,
        target_reasons.months_elapsed,
        target_reasons.value as value_ytd,
        target_reasons.baseline_value,
        target_types.label as target_type_label
    from target_reasons
    left join target_types on target_reasons.target_type = target_types.target_type
)

select * from final
