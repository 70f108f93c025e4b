-- The periods this build computes again (see macros/rebuilt_periods.sql): every period in a full build;
-- in a partial build, those a change to the raw rows of a changed month reaches. A period's own figures
-- read the months of its window, the same window a year earlier and, for stocks and R11, the year before
-- its year; its league tables also compare with the period before it. So a period is rebuilt when its
-- window or its window a year earlier holds a changed month, when its year follows a changed month's,
-- or when the period before it is one of those.
{% set changed = changed_months() %}

with periods as (
    select * from {{ ref('int_periods') }}
),

{% if changed is none %}

    final as (
        select
            period_type,
            period
        from periods
    )

{% else %}

    changed_months as (
        select month_start
        from (values {% for month in changed %}(date '{{ month }}'){{ ", " if not loop.last }}{% endfor %})
            as changed (month_start)
    ),

    reached as (
        select periods.*
        from periods
        where exists (
            select 1
            from changed_months
            where
                changed_months.month_start between periods.period_start and periods.period_end
                or changed_months.month_start
                between periods.period_start - interval 1 year and periods.period_end - interval 1 year
                or year(changed_months.month_start) + 1 = periods.year
        )
    ),

    following as (
        select periods.*
        from periods
        inner join reached
            on
                periods.period_type = reached.period_type
                and periods.period_index = reached.period_index + 1
    ),

    final as (
        select
            period_type,
            period
        from reached
        union
        select
            period_type,
            period
        from following
    )

{% endif %}

select * from final
