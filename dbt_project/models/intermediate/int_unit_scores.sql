-- The composite score (综合考评) per unit and period: 100 x points earned / points of the evaluated
-- targets, rounded to 1 decimal; the grade from the grades seed; a failed veto target (一票否决) makes the
-- grade the one the grades seed marks is_veto_grade, whatever the score.
with attainment as (
    select * from {{ ref('int_target_reasons') }}
),

grades as (
    select * from {{ ref('stg_grades') }}
),

totals as (
    select
        unit_code,
        year,
        period_type,
        period,
        coalesce(sum(points_earned) filter (where evaluated), 0)::double as points_earned,
        coalesce(sum(points) filter (where evaluated), 0)::double as points_evaluated,
        bool_or(veto_failed) as veto,
        string_agg(reason, '；' order by indicator_code) filter (where veto_failed) as veto_reason
    from attainment
    group by unit_code, year, period_type, period
),

scored as (
    select
        *,
        case
            when points_evaluated > 0 then round((100 * points_earned / points_evaluated)::decimal(18, 6), 1)
        end::double as score
    from totals
),

graded as (
    select
        scored.*,
        arg_max(grades.grade, grades.min_score) as score_grade
    from scored
    left join grades on scored.score >= grades.min_score
    group by all
),

veto_grade as (
    -- exactly one row (tested on the grades seed, whose tests run before this model is built)
    select grade from grades
    where is_veto_grade
),

final as (
    select
        graded.* exclude (score_grade),  -- noqa: RF02
        case when graded.veto then veto_grade.grade else graded.score_grade end as grade
    from graded
    cross join veto_grade
)

select * from final
