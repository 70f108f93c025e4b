with submission_status as (
    select * from {{ ref('int_submission_status') }}
),

counted as (
    select
        period,
        count(*)::integer as units_expected,
        count_if(on_time or late)::integer as units_received,
        count_if(on_time)::integer as units_on_time,
        count_if(late)::integer as units_late,
        count_if(missing)::integer as units_missing,
        count_if(rejected)::integer as units_rejected
    from submission_status
    group by period
),

final as (
    select
        *,
        {{ safe_ratio('units_received', 'units_expected') }} as completeness_rate,
        {{ safe_ratio('units_on_time', 'units_expected') }} as timeliness_rate
    from counted
)

select * from final
