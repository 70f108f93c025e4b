with source as (
    select * from {{ source('raw', 'findings') }}
),

final as (
    select
        sha256::varchar as sha256,
        rule_id::varchar as rule_id,
        severity::varchar as severity,
        sheet::varchar as sheet,
        cell::varchar as cell,
        field::varchar as field,
        value::varchar as value,
        message::varchar as message,
        hint::varchar as hint
    from source
)

select * from final
