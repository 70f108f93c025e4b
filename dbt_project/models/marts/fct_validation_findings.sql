with findings as (
    select * from {{ ref('stg_findings') }}
),

submissions as (
    select * from {{ ref('stg_submissions') }}
),

numbered as (
    select
        *,
        row_number() over (
            partition by sha256 order by sheet, cell, rule_id, field, value, message
        )::integer as finding_no
    from findings
),

final as (
    select
        numbered.sha256,
        submissions.unit_code,
        submissions.period,
        submissions.version,
        submissions.file_name,
        numbered.rule_id,
        numbered.severity,
        numbered.sheet,
        numbered.cell,
        numbered.field,
        numbered.value,
        numbered.message,
        numbered.hint,
        numbered.finding_no,
        submissions.kind,
        submissions.status,
        submissions.received_at
    from numbered
    left join submissions on numbered.sha256 = submissions.sha256
)

select * from final
