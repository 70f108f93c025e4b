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
    Their tests, where a row's verdict does not depend on other periods, read the rebuilt periods only
    (get_where_subquery, below).
    Without a scope (a full build, a first build, dbt run by hand) every period is rebuilt and every row
    tested: the same marts either way, which tests/orchestration/test_partial_build.py checks table by
    table. A partial build also leaves out what reads the reference seeds alone (tag `reference`,
    dbt_project.yml): the copy holds it as the last build made it. -#}

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

{#- The relation a generic test reads (dbt wraps every generic test's model in this macro; its own version
    applies the `where` config, which this one keeps). In a partial build, a test of a model rebuilt by
    period reads only the rows of the periods rebuilt, when its verdict on a row does not depend on rows of
    other periods: not_null, accepted_values, relationships (a partial build never removes a row a
    reference points at: a change to the reference data is a full build), and unique_combination of a
    key that holds the period. The rows of the other periods are those the last build wrote and tested,
    unchanged. These tests sit between each such model and the next (dbt build tests a model before its
    children run), so a late report waited for them to read every period. -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- set conditions = [where] if where else [] -%}
    {%- if execute and reads_rebuilt_periods_only(model) -%}
        {%- set scope = graph.nodes['model.pingan.int_rebuilt_periods'] -%}
        {%- set rebuilt = api.Relation.create(database=scope.database, schema=scope.schema, identifier=scope.alias) -%}
        {%- do conditions.append(
            "(period_type, period) in (select rebuilt.period_type, rebuilt.period from " ~ rebuilt ~ " as rebuilt)"
        ) -%}
    {%- endif -%}
    {%- if conditions -%}
        {{ return("(select * from " ~ relation ~ " where " ~ conditions | join(" and ") ~ ") dbt_subquery") }}
    {%- endif -%}
    {{ return(relation) }}
{%- endmacro %}

{#- True for a generic test (``test``, the test node) that a partial build may run on the rebuilt periods
    only (get_where_subquery says which). -#}
{% macro reads_rebuilt_periods_only(test) -%}
    {%- set kind = (test.test_metadata or {}).get('name') -%}
    {%- set tested = graph.nodes.get(test.attached_node or '') -%}
    {%- if tested is none or tested.config.materialized != 'incremental' -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set by_period = kind in ('not_null', 'accepted_values', 'relationships')
        or (kind == 'unique_combination' and 'period' in test.test_metadata.kwargs.get('columns', [])) -%}
    {{ return(by_period and changed_months() is not none) }}
{%- endmacro %}
