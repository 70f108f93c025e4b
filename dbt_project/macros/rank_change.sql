{#- Why a rank has (or has no) change against the previous period: the one rule for the composite ranking
    (int_unit_score_history) and the indicator league tables (fct_indicator_rankings). The bulletin and
    the notice word each status (exports/bulletin/format.py); the marts only say which one holds.

      compared                    ranked now and then: rank_change = previous rank - rank
      not_ranked                  not ranked this period (no score): nothing to compare
      new                         the previous period has a ranking, without this unit in it (新)
      previous_year_not_assessed  nobody was ranked then because the previous period's year has no
                                  targets workbook, so no composite score at all (上年未考评); never
                                  "new": the unit may well have reported every month of it
      previous_not_ranked         the previous period has data but nobody was ranked in it
      no_previous_period          the warehouse has no data for the previous period (the first month)

    previous_units_ranked: how many units the previous period ranked (null when none);
    previous_period: the previous period's key, null when it has no data;
    previous_year_has_targets: whether a composite score could exist then ('true' for league tables). -#}
{% macro rank_change_status(rank, previous_rank, previous_units_ranked, previous_period, previous_year_has_targets) -%}
    case
        when {{ rank }} is null then 'not_ranked'
        when {{ previous_rank }} is not null then 'compared'
        when coalesce({{ previous_units_ranked }}, 0) > 0 then 'new'
        when {{ previous_period }} is null then 'no_previous_period'
        when not {{ previous_year_has_targets }} then 'previous_year_not_assessed'
        else 'previous_not_ranked'
    end
{%- endmacro %}

{#- Places moved up since the previous period (positive = up), null unless both ranks exist. -#}
{% macro rank_change(rank, previous_rank) -%}
    ({{ previous_rank }} - {{ rank }})::integer
{%- endmacro %}
