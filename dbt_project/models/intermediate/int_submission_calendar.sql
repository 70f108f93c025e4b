-- The months each unit is expected to report: every unit of the catalogue x every month from the first
-- to the last month in which any monthly report was received (accepted or not), never before the
-- first_period of scoring_settings. The deadline (macro submission_deadline) is the deadline_day of the
-- following month, inclusive.
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
        greatest(
            min(try_strptime(submissions.period || '-01', '%Y-%m-%d'))::date,
            coalesce(any_value(settings.first_month), date '0001-01-01')
        ) as first_month,
        max(try_strptime(submissions.period || '-01', '%Y-%m-%d'))::date as last_month
    from submissions
    cross join settings
),

months as (
    select unnest(generate_series(first_month, last_month, interval 1 month))::date as month_start
    from bounds
    where last_month is not null
),

final as (
    select
        units.unit_code,
        strftime(months.month_start, '%Y-%m') as period,
        months.month_start,
        {{ submission_deadline('months.month_start', 'settings.deadline_day') }} as deadline
    from units
    cross join months
    cross join settings
)

select * from final
