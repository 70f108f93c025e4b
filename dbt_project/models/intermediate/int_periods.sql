-- The reporting periods that exist: for every month with accepted data, its month, its year-to-date,
-- its quarter and its year. period_index orders periods of one type (previous period = index - 1).
with months as (
    select distinct month_start from {{ ref('int_submissions_used') }}
),

windows as (
    select distinct
        period_type,
        period_start,
        period_end
    from (
        select 'month' as period_type, month_start as period_start, last_day(month_start) as period_end
        from months
        union all
        select 'ytd', date_trunc('year', month_start)::date, last_day(month_start)
        from months
        union all
        select 'quarter', date_trunc('quarter', month_start)::date,
            last_day(date_trunc('quarter', month_start) + interval 2 month)
        from months
        union all
        select 'year', date_trunc('year', month_start)::date, make_date(year(month_start), 12, 31)
        from months
    )
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
