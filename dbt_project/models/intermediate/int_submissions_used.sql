-- The monthly report that counts for each unit and month: the latest accepted version (accepted or
-- accepted_with_warnings, highest version; received_at breaks ties). Rejected files never get here.
with submissions as (
    select * from {{ ref('stg_submissions') }}
),

accepted_reports as (
    select
        *,
        try_strptime(period || '-01', '%Y-%m-%d')::date as month_start
    from submissions
    where
        kind = 'monthly_report'
        and status in ('accepted', 'accepted_with_warnings')
        and unit_code is not null
),

ranked as (
    select
        *,
        row_number() over (
            partition by unit_code, month_start
            order by version desc nulls last, received_at desc, sha256 asc
        ) as recency
    from accepted_reports
    where month_start is not null
),

final as (
    select
        unit_code,
        strftime(month_start, '%Y-%m') as period,
        month_start,
        sha256,
        version,
        received_at,
        file_name,
        status,
        error_count,
        warning_count
    from ranked
    where recency = 1
)

select * from final
