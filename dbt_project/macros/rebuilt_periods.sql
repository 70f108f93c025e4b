{#- Partial builds: only the periods a change reaches are computed again.

    When the raw rows of some months change (a late report, a correction) and nothing else did, pingan
    (orchestration/build_inputs.py) writes those months into the copy it builds, table
    pingan_build.build_scope (orchestration/warehouse.py). int_rebuilt_periods lists the periods they
    reach (that model says how). The models keyed by period_type and period that cost the most are
    incremental on it (dbt_project.yml, &rebuilt_by_period): each build deletes the rows of the
    rebuilt periods, then inserts them again, computed from the whole warehouse; the rows of every
    other period stay. A unit test of such a model gives int_rebuilt_periods as one of its inputs.
    Each such model writes its rows ordered by period_type and period, so a period's rows lie together
    in the file: deleting them empties whole row groups instead of leaving deleted rows in every row
    group, each of which DuckDB's next checkpoint would rewrite.
    Without a scope (a full build, a first build, dbt run by hand) every period is rebuilt: the same
    marts either way, which tests/orchestration/test_partial_build.py checks table by table. -#}

{#- True for the rows of a period this build computes again. -#}
{% macro is_rebuilt_period(period_type='period_type', period='period') -%}
    ({{ period_type }}, {{ period }}) in (
        select rebuilt.period_type, rebuilt.period from {{ ref('int_rebuilt_periods') }} as rebuilt
    )
{%- endmacro %}

{#- The pre-hook of an incremental run: drop the rows the model is about to insert again. A period is
    never gone from int_periods once it was there: raw rows only grow (a warehouse recreated from the
    archive carries no record, and so gets a full build). -#}
{% macro delete_rebuilt_periods() -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ is_rebuilt_period() }}
    {%- endif -%}
{%- endmacro %}

{#- The changed months of a partial build ('YYYY-MM-01', at least one), or none for a full build. Read
    when the model runs, from the copy being built, so the months are not a dbt variable (a variable's
    new value would make dbt parse the whole project again). -#}
{% macro changed_months() -%}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set found = run_query(
        "select count(*) from information_schema.tables"
        " where table_schema = 'pingan_build' and table_name = 'build_scope'"
    ).columns[0].values()[0] -%}
    {%- if found == 0 -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set months = run_query(
        "select strftime(month_start, '%Y-%m-%d') from pingan_build.build_scope order by 1"
    ).columns[0].values() | list -%}
    {{ return(months if months else none) }}
{%- endmacro %}
