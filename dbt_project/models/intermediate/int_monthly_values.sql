-- Each unit's submitted figures per month, from the version used (int_submissions_used) only.
with submissions_used as (
    select * from {{ ref('int_submissions_used') }}
),

indicator_values as (
    select * from {{ ref('stg_indicator_values') }}
),

indicators as (
    select * from {{ ref('stg_indicators') }}
    where kind in ('flow', 'stock')
),

final as (
    select
        submissions_used.unit_code,
        indicator_values.indicator_code,
        submissions_used.period,
        submissions_used.month_start,
        indicators.kind,
        indicator_values.value,
        indicator_values.value_last_year_reported,
        submissions_used.sha256
    from submissions_used
    inner join indicator_values on submissions_used.sha256 = indicator_values.sha256
    inner join indicators on indicator_values.indicator_code = indicators.indicator_code
)

select * from final
