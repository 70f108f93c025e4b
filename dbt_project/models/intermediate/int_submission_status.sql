-- Each expected unit and month with what was received. The version used decides timeliness: a report
-- accepted only in a version received after the deadline is late, even if an earlier (rejected or
-- superseded) version came in time. rejected = something received, no version accepted.
with calendar as (
    select * from {{ ref('int_submission_calendar') }}
),

submissions as (
    select * from {{ ref('stg_submissions') }}
    where kind = 'monthly_report' and unit_code is not null
),

submissions_used as (
    select * from {{ ref('int_submissions_used') }}
),

received as (
    select
        unit_code,
        period,
        count(*)::integer as versions_received,
        min(received_at) as first_received_at,
        arg_max(sha256, version) filter (where status = 'rejected') as latest_rejected_sha256
    from submissions
    group by unit_code, period
),

joined as (
    select
        calendar.unit_code,
        calendar.period,
        calendar.month_start,
        calendar.deadline,
        coalesce(received.versions_received, 0) as versions_received,
        coalesce(submissions_used.received_at, received.first_received_at) as received_at,
        submissions_used.version,
        submissions_used.sha256,
        coalesce(submissions_used.sha256, received.latest_rejected_sha256) as counted_sha256,
        submissions_used.sha256 is not null as is_accepted,
        counted.error_count,
        counted.warning_count
    from calendar
    left join received
        on calendar.unit_code = received.unit_code and calendar.period = received.period
    left join submissions_used
        on calendar.unit_code = submissions_used.unit_code and calendar.period = submissions_used.period
    left join submissions as counted
        on coalesce(submissions_used.sha256, received.latest_rejected_sha256) = counted.sha256
),

final as (
    select
        *,
        true as expected,
        is_accepted and received_at::date <= deadline as on_time,
        is_accepted and received_at::date > deadline as late,
        versions_received = 0 as missing,
        versions_received > 0 and not is_accepted as rejected,
        case
            when is_accepted and received_at::date <= deadline then '已报'
            when is_accepted then '逾期'
            when versions_received > 0 then '退回'
            else '未报'
        end as status_label
    from joined
)

select * from final
