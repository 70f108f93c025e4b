with submission_status as (
    select * from {{ ref('int_submission_status') }}
),

final as (
    select
        unit_code,
        period,
        deadline,
        expected,
        received_at,
        on_time,
        late,
        missing,
        rejected,
        status_label,
        version,
        versions_received,
        sha256,
        error_count,
        warning_count,
        counted_sha256
    from submission_status
)

select * from final
