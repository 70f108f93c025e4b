-- The scoring_settings seed (key/value text) as one typed row, so models read settings by column.
with settings as (
    select * from {{ ref('stg_scoring_settings') }}
),

final as (
    select
        max(case when setting = 'deadline_day' then value end)::integer as deadline_day,
        max(case when setting = 'yellow_card_last_place_periods' then value end)::integer
            as yellow_card_last_place_periods,
        max(case when setting = 'province_unit_count' then value end)::integer as province_unit_count,
        try_strptime(max(case when setting = 'first_period' then value end) || '-01', '%Y-%m-%d')::date
            as first_month
    from settings
)

select * from final
