-- The reporting periods that exist: for every month with accepted data, its month, its year-to-date,
-- its quarter and its year. period_index orders periods of one type (previous period = index - 1).
with months as (
    select distinct month_start from {{ ref('int_submissions_used') }}
),

month_windows as (
    select
        'month' as period_type,
        month_start as period_start,
        last_day(month_start) as period_end
    from months
),

ytd_windows as (
    select
        'ytd' as period_type,
        date_trunc('year', month_start)::date as period_start,
        last_day(month_start) as period_end
    from months
),

quarter_windows as (
    select
        'quarter' as period_type,
        date_trunc('quarter', month_start)::date as period_start,
        last_day(date_trunc('quarter', month_start) + interval 2 month) as period_end
    from months
),

year_windows as (
    select
        'year' as period_type,
        date_trunc('year', month_start)::date as period_start,
        make_date(year(month_start), 12, 31) as period_end
    from months
),

windows as (
    select * from month_windows
    union
    select * from ytd_windows
    union
    select * from quarter_windows
    union
    select * from year_windows
),

final as (
    select
        period_type,
        case period_type
            when 'quarter' then year(period_start) || 'Q' || quarter(period_start)
            when 'year' then year(period_start)::varchar
            else strftime(period_end, '%Y-%m')
        end as period,
        year(period_start)::integer as year,
        period_start::date as period_start,
        period_end::date as period_end,
        case period_type
            when 'quarter' then year(period_start) * 4 + quarter(period_start) - 1
            when 'year' then year(period_start)
            else year(period_end) * 12 + month(period_end) - 1
        end::integer as period_index,
        (date_diff('month', period_start, period_end) + 1)::integer as months_in_window
    from windows
)

select * from final
