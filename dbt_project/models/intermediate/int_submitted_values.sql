-- Submitted indicators per unit and period with their last-year figures.
-- value_last_year: the same window last year from the warehouse when every month of that window was
-- received for the unit; otherwise the county's own 去年同期数 (a partial warehouse window would
-- understate a flow). prior_year_end_value (stocks): the latest non-null value of the previous year in
-- the warehouse, else the latest 去年同期数 the county reported in this window; used by R11, rank_up and
-- improve.
with period_values as (
    select * from {{ ref('int_period_values') }}
    where {{ is_rebuilt_period() }}
),

last_year as (
    select * from {{ ref('int_period_values') }}
),

year_end as (
    select
        unit_code,
        indicator_code,
        year,
        value
    from {{ ref('int_period_values') }}
    where period_type = 'year' and kind = 'stock'
),

final as (
    select
        period_values.unit_code,
        period_values.indicator_code,
        period_values.kind,
        period_values.period_type,
        period_values.period,
        period_values.year,
        period_values.months_received,
        period_values.value,
        case
            when last_year.months_received = last_year.months_in_window then last_year.value
            else period_values.value_last_year_reported
        end as value_last_year,
        case
            when last_year.months_received = last_year.months_in_window then 'warehouse'
            when period_values.value_last_year_reported is not null then 'reported'
        end as last_year_source,
        case
            when period_values.kind = 'stock'
                then coalesce(year_end.value, period_values.value_last_year_reported)
        end as prior_year_end_value
    from period_values
    left join last_year
        on
            period_values.unit_code = last_year.unit_code
            and period_values.indicator_code = last_year.indicator_code
            and period_values.period_type = last_year.period_type
            and last_year.period_index
            = {{ period_index_last_year('period_values.period_type', 'period_values.period_index') }}
    left join year_end
        on
            period_values.unit_code = year_end.unit_code
            and period_values.indicator_code = year_end.indicator_code
            and year_end.year = period_values.year - 1
)

select * from final
order by period_type, period  -- a period's rows together (macros/rebuilt_periods.sql)
