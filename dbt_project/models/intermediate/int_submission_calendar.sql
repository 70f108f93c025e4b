-- The months each unit is expected to report: every unit of the catalogue x every month from the first
-- to the last month in which any monthly report was received (accepted or not). The deadline is the
-- deadline_day (scoring_settings) of the following month, inclusive.
with submissions as (
    select * from {{ ref('stg_submissions') }}
    where kind = 'monthly_report'
),

units as (
    select * from {{ ref('stg_units') }}
),

settings as (
    select * from {{ ref('int_settings') }}
),

bounds as (
    select
        min(try_strptime(period || '-01', '%Y-%m-%d'))::date as first_month,
        max(try_strptime(period || '-01', '%Y-%m-%d'))::date as last_month
    from submissions
),

months as (
    select unnest(generate_series(first_month, last_month, interval 1 month))::date as month_start
    from bounds
    where first_month is not null
),

final as (
    select
        units.unit_code,
        strftime(months.month_start, '%Y-%m') as period,
        months.month_start,
        least(
            (months.month_start + interval 1 month)::date + (settings.deadline_day - 1),
            last_day(months.month_start + interval 1 month)
        )::date as deadline
    from units
    cross join months
    cross join settings
)

select * from final
