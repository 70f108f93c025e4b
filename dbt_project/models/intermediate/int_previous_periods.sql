-- The period every rank change compares with: the one before it of the same type (the previous month,
-- also across a year boundary, so January compares with last December; the previous quarter; the
-- previous year), whether the warehouse has data for it, and whether its year has targets (without a
-- targets workbook no unit has a composite score that year, so there is no composite rank to compare).
with periods as (
    select * from {{ ref('int_periods') }}
),

target_years as (
    select distinct year from {{ ref('int_targets_used') }}
),

previous as (
    select
        period_type,
        period,
        period_index,
        period_index - 1 as previous_period_index,
        case period_type
            when 'quarter' then (period_index - 1) // 4
            when 'year' then period_index - 1
            else (period_index - 1) // 12
        end as previous_period_year
    from periods
),

final as (
    select
        previous.period_type,
        previous.period,
        previous.period_index,
        previous.previous_period_index::integer as previous_period_index,
        previous.previous_period_year::integer as previous_period_year,
        earlier.period as previous_period,
        target_years.year is not null as previous_year_has_targets
    from previous
    left join periods as earlier
        on
            previous.period_type = earlier.period_type
            and previous.previous_period_index = earlier.period_index
    left join target_years on previous.previous_period_year = target_years.year
)

select * from final
