-- Yellow card (黄牌警告): the grade is the one the grades seed marks is_yellow_card, or the unit has been
-- last yellow_card_last_place_periods periods of the same type running (scoring_settings).
with score_history as (
    select * from {{ ref('int_unit_score_history') }}
),

grades as (
    select * from {{ ref('stg_grades') }}
),

settings as (
    select * from {{ ref('int_settings') }}
),

carded as (
    select
        score_history.*,
        coalesce(grades.is_yellow_card, false) as has_card_grade,
        score_history.last_place_streak >= settings.yellow_card_last_place_periods as has_last_place_run,
        settings.yellow_card_last_place_periods
    from score_history
    left join grades on score_history.grade = grades.grade
    cross join settings
),

final as (
    select
        unit_code,
        year,
        period,
        period_type,
        score,
        points_earned,
        points_evaluated,
        grade,
        veto,
        veto_reason,
        rank,
        units_ranked,
        rank_change::integer as rank_change,
        rank_change_status,
        coalesce(has_card_grade or has_last_place_run, false) as yellow_card,
        nullif(concat_ws(
            '；',
            case when has_card_grade then '综合考评等级为' || grade end,
            case when has_last_place_run then '连续' || last_place_streak || '期排名末位' end
        ), '') as yellow_card_reason
    from carded
)

select * from final
