with files_used as (
    select * from {{ ref('int_target_files_used') }}
),

final as (
    select
        year::integer as year,
        sha256::varchar as sha256,
        file_name::varchar as file_name,
        version::integer as version,
        status::varchar as status,
        received_at::timestamp as received_at,
        target_lines::integer as target_lines
    from files_used
)

select * from final
