-- When targets are evaluated, for each year that has targets. Every row compares the year-to-date up to
-- compare_period against the target:
--   month   each month of the year with any accepted data (ytd to that month);
--   quarter each quarter with data (ytd to the last month of the quarter with data);
--   year    only once December has data (the annual assessment: ytd to December, nothing pro-rated).
-- months_elapsed (1..12) pro-rates annual flow targets.
with target_years as (
    select distinct year from {{ ref('int_targets_used') }}
),

periods as (
    select * from {{ ref('int_periods') }}
),

data_months as (
    select
        periods.year,
        periods.period_start as month_start,
        month(periods.period_start) as month_no
    from periods
    inner join target_years on periods.year = target_years.year
    where periods.period_type = 'month'
),

month_windows as (
    select
        year,
        'month' as period_type,
        strftime(month_start, '%Y-%m') as period,
        month_no as months_elapsed
    from data_months
),

quarter_windows as (
    select
        year,
        'quarter' as period_type,
        year || 'Q' || quarter(month_start) as period,
        max(month_no) as months_elapsed
    from data_months
    group by year, quarter(month_start)
),

year_windows as (
    select
        year,
        'year' as period_type,
        year::varchar as period,
        12 as months_elapsed
    from data_months
    group by year
    having max(month_no) = 12
),

windows as (
    select * from month_windows
    union all
    select * from quarter_windows
    union all
    select * from year_windows
),

final as (
    select
        year::integer as year,
        period_type,
        period,
        months_elapsed::integer as months_elapsed,
        year || '-' || lpad(months_elapsed::varchar, 2, '0') as compare_period
    from windows
)

select * from final
