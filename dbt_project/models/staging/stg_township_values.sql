with source as (
    select * from {{ source('raw', 'township_values') }}
),

final as (
    select
        sha256::varchar as sha256,
        row_number::integer as row_number,
        township_name::varchar as township_name,
        d02::double as d02,
        d03::double as d03,
        has_centre::boolean as has_centre,
        p02::double as p02,
        c01::double as c01,
        g03::double as g03
    from source
)

select * from final
