-- One Chinese sentence per target and window saying why it is (not) met, with the actual and the target
-- written as the bulletin writes them ("调解成功率 96.2% ≥ 目标 95.0%，达标").
with attainment as (
    select * from {{ ref('int_target_attainment') }}
),

indicators as (
    select * from {{ ref('stg_indicators') }}
),

formatted as (
    select
        attainment.*,
        indicators.indicator_name,
        {{ format_value('attainment.actual_value', 'attainment.value_type') }} as actual_text,
        {{ format_value('attainment.target_value_effective', 'attainment.value_type') }}
        || case
            when attainment.target_value_effective != attainment.target_value
                then
                    '（全年' || {{ format_value('attainment.target_value', 'attainment.value_type') }}
                    || '×' || attainment.months_elapsed || '/12）'
            else ''
        end as target_text,
        abs(round(attainment.actual_value))::bigint || '位' as places_text,
        case
            when attainment.value_type in ('ratio', 'timeliness')
                then format('{:.1f}个百分点', 100 * abs(attainment.actual_value))
            when attainment.value_type = 'percent' then format('{:.1f}个百分点', abs(attainment.actual_value))
            else {{ format_value('abs(attainment.actual_value)', 'attainment.value_type') }}
        end as change_text,
        case
            when attainment.value_type in ('ratio', 'timeliness')
                then format('{:.1f}个百分点', 100 * attainment.target_value)
            when attainment.value_type = 'percent' then format('{:.1f}个百分点', attainment.target_value)
            else {{ format_value('attainment.target_value', 'attainment.value_type') }}
        end as improve_target_text,
        case when attainment.attained then '，达标' else '，未达标' end as verdict
    from attainment
    inner join indicators on attainment.indicator_code = indicators.indicator_code
),

final as (
    select
        *,
        case
            when not evaluated then '本年度尚无测评结果，本项不计分'
            when value is null then indicator_name || ' 未报送/无数据，未达标'
            when actual_value is null then indicator_name || ' 上年数据未报送/无数据，无法比较，未达标'
            when target_type = 'min'
                then
                    indicator_name || ' ' || actual_text || case when attained then ' ≥ ' else ' < ' end
                    || '目标 ' || target_text || verdict
                    || case when not attained then format('，按比例得{:.1f}分', points_earned) else '' end
            when target_type = 'max'
                then
                    indicator_name || ' ' || actual_text || case when attained then ' ≤ ' else ' > ' end
                    || '目标 ' || target_text || verdict
            when target_type = 'rank_within'
                then
                    indicator_name || ' ' || actual_text || '，目标 前' || round(target_value)::bigint || '位'
                    || verdict
            when target_type = 'rank_up'
                then
                    indicator_name || ' 较上年' || case when actual_value >= 0 then '上升' else '下降' end
                    || places_text || '（' || {{ format_value('baseline_value', "'rank'") }} || '→'
                    || {{ format_value('value', "'rank'") }} || '），目标 上升' || round(target_value)::bigint
                    || '位以上' || verdict
            when target_type = 'improve'
                then
                    indicator_name || ' ' || {{ format_value('value', 'value_type') }} || '，较上年'
                    || case when actual_value >= 0 then '提高' else '下降' end || change_text
                    || '，目标 提高超过' || improve_target_text || verdict
            when target_type = 'growth'
                then
                    indicator_name || ' 同比 ' || format('{:+.1f}%', 100 * actual_value)
                    || case when attained then ' ≥ ' else ' < ' end || '目标 '
                    || format('{:+.1f}%', 100 * target_value) || verdict
        end as reason
    from formatted
)

-- The pieces the sentence is made of are not kept: downstream models read the reason only.
select * exclude (actual_text, target_text, places_text, change_text, improve_target_text, verdict)
from final
