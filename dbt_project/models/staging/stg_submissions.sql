with source as (
    select * from {{ source('raw', 'submissions') }}
),

final as (
    select
        sha256::varchar as sha256,
        kind::varchar as kind,
        file_name::varchar as file_name,
        archive_path::varchar as archive_path,
        size_bytes::bigint as size_bytes,
        received_at::timestamp as received_at,
        ingested_at::timestamp as ingested_at,
        filed_under::varchar as filed_under,
        unit_code::varchar as unit_code,
        period::varchar as period,
        version::integer as version,
        status::varchar as status,
        error_count::integer as error_count,
        warning_count::integer as warning_count,
        reporter::varchar as reporter,
        phone::varchar as phone,
        reviewer::varchar as reviewer,
        fill_date::varchar as fill_date
    from source
)

select * from final
