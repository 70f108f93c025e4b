-- Each unit's targets at each evaluation window, with the actual value the target type compares:
--   min, max, rank_within  the year-to-date value (latest for stocks and ranks, ratio of sums for rates);
--   rank_up                last year's year-end value - the latest value (places moved up);
--   improve                the latest value - last year's (year-end for stocks, same window otherwise);
--   growth                 the year-to-date change on last year, as a fraction.
-- min/max targets on flows (and on per-10k rates of flows) are annual: pro-rated by months_elapsed / 12.
with targets as (
    select * from {{ ref('int_targets_used') }}
),

windows as (
    select * from {{ ref('int_target_windows') }}
),

indicators as (
    select * from {{ ref('stg_indicators') }}
),

ytd_values as (
    select * from {{ ref('int_indicator_values') }}
    where period_type = 'ytd'
),

joined as (
    select
        targets.unit_code,
        windows.year,
        windows.period_type,
        windows.period,
        windows.months_elapsed,
        targets.indicator_code,
        targets.target_type,
        targets.target_value,
        targets.points,
        targets.is_veto,
        indicators.kind,
        indicators.value_type,
        indicators.is_survey,
        ytd_values.value,
        case
            when indicators.kind = 'stock' then ytd_values.prior_year_end_value
            else ytd_values.value_last_year
        end as baseline_value,
        ytd_values.value_last_year
    from targets
    inner join windows on targets.year = windows.year
    inner join indicators on targets.indicator_code = indicators.indicator_code
    left join ytd_values
        on
            targets.unit_code = ytd_values.unit_code
            and targets.indicator_code = ytd_values.indicator_code
            and windows.compare_period = ytd_values.period
),

final as (
    select
        *,
        case target_type
            when 'rank_up' then baseline_value - value
            when 'improve' then value - baseline_value
            when 'growth' then {{ yoy_change('value', 'value_last_year') }}
            else value
        end as actual_value,
        case
            when target_type in ('min', 'max') and (kind = 'flow' or value_type = 'per_10k')
                then target_value * months_elapsed / 12
            else target_value
        end as target_value_effective
    from joined
)

select * from final
