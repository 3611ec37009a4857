{#- How the daily history (customer_engagement_daily) is kept up to date. Everything that decides
    which score dates a run builds lives here, so every engine runs the same rules:

    - a full refresh builds every score date from the history's start to engagement_score_date;
    - an incremental run rebuilds the last engagement_lookback_days dates already built, adds the
      new ones, and goes further back when late data changed an older day: from the earliest day
      whose daily points differ from the ones the history was last built from, to the end (inside
      the window the score changes; after it, last_event_at may);
    - a change of the window, the decay, the history start or the tiers seed rebuilds every date.

    What the history was built from is a fingerprint per event date of int_engagement__daily_points
    (rows, events, points, a row checksum) and the settings, kept in the bookkeeping model
    int_engagement__history_manifest: the history's post-hook replaces its rows after each
    successful build. An empty manifest means "rebuild everything". While the model renders, these
    macros only read; the history's hooks delete its stale rows and record the manifest, inside
    the model's transaction where the engine has one. -#}

{#- The score dates this run builds, {'first': date, 'last': date, 'continues': bool}, both dates
    included; first > last means there is nothing to build. `continues`: the rows before the first
    date are kept (an incremental run), so they can tell where each customer stands. Runs queries,
    so it is called when the model executes. -#}
{% macro engagement_history_score_dates(daily_points, manifest) %}
    {%- set last = engagement_score_date() -%}
    {%- set one_day = modules.datetime.timedelta(days=1) -%}
    {%- set nothing = {'first': last + one_day, 'last': last, 'continues': false} -%}
    {%- set full_first = engagement_history_full_first(daily_points) -%}
    {%- if full_first is none -%}
        {{ return(nothing) }}
    {%- endif -%}
    {%- set first = full_first -%}

    {%- if is_incremental() -%}
        {%- set built_last = engagement_query_value("select max(score_date) from " ~ this) -%}
        {%- if built_last is not none -%}
            {%- set built_last = engagement_as_date(built_last) -%}
            {%- set reference = [built_last, last] | min -%}
            {%- set rebuild_from = reference - modules.datetime.timedelta(days=engagement_lookback_days()) + one_day -%}
            {%- set changed_from = engagement_history_changed_from(daily_points, manifest, built_last) -%}
            {%- if changed_from is not none and changed_from < rebuild_from -%}
                {%- set rebuild_from = changed_from -%}
            {%- endif -%}
            {%- if rebuild_from > first -%}
                {%- set first = rebuild_from -%}
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}
    {{ log("customer_engagement_daily: building score dates " ~ first ~ " to " ~ last, info=True) }}
    {{ return({'first': first, 'last': last, 'continues': first > full_first}) }}
{% endmacro %}

{#- The first score date of a full build: the first day with a raw event, or the history's start
    when that is later; none when there is nothing to build (no daily points table yet, no raw
    event up to the score date). -#}
{% macro engagement_history_full_first(daily_points) %}
    {%- if not execute or load_relation(daily_points) is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set earliest = engagement_query_value(
        "select min(event_date) from " ~ daily_points
        ~ " where event_count > 0 and event_date <= " ~ engagement_date_literal(engagement_score_date())
    ) -%}
    {%- if earliest is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set full_first = engagement_as_date(earliest) -%}
    {%- set history_start = engagement_history_start_date() -%}
    {{ return([full_first, history_start] | max if history_start is not none else full_first) }}
{% endmacro %}

{#- Earliest event date (up to built_last) whose daily points differ from those the history was
    built from (the manifest, int_engagement__history_manifest); a very early date when the
    manifest is empty or the settings changed; none when nothing changed. -#}
{% macro engagement_history_changed_from(daily_points, manifest, built_last) %}
    {%- set everything = modules.datetime.date(1, 1, 1) -%}
    {%- if flags.WHICH not in ['run', 'build', 'retry'] -%}
        {#- dbt compile, docs: show the lookback alone. -#}
        {{ return(none) }}
    {%- endif -%}
    {%- if load_relation(manifest) is none -%}
        {{ return(everything) }}
    {%- endif -%}
    {%- set saved_settings = engagement_query_value("select max(history_settings) from " ~ manifest) -%}
    {%- if saved_settings is none -%}
        {{ log("customer_engagement_daily: the manifest is empty, rebuilding every date", info=True) }}
        {{ return(everything) }}
    {%- endif -%}
    {%- set changes = engagement_changed_settings(saved_settings, engagement_history_settings()) -%}
    {%- if changes -%}
        {{ log("customer_engagement_daily: " ~ changes | join(', ') ~ " changed since the last build, rebuilding every date", info=True) }}
        {{ return(everything) }}
    {%- endif -%}
    {%- set compare -%}
        with current_inputs as (
            {{ engagement_history_fingerprint_sql(daily_points) | indent(12) }}
        ),

        saved_inputs as (
            select * from {{ manifest }}
            where event_date <= {{ engagement_date_literal(built_last) }}
        )

        select min(coalesce(current_inputs.event_date, saved_inputs.event_date))
        from current_inputs
        full outer join saved_inputs
            on current_inputs.event_date = saved_inputs.event_date
        where
            (current_inputs.event_date is null and saved_inputs.event_date is not null)
            or (
                current_inputs.event_date <= {{ engagement_date_literal(built_last) }}
                and (
                    saved_inputs.event_date is null
                    or current_inputs.row_count <> saved_inputs.row_count
                    or current_inputs.event_count <> saved_inputs.event_count
                    or current_inputs.units <> saved_inputs.units
                    or current_inputs.points <> saved_inputs.points
                    or current_inputs.last_occurred_at <> saved_inputs.last_occurred_at
                    or current_inputs.row_checksum <> saved_inputs.row_checksum
                )
            )
    {%- endset -%}
    {%- set changed = engagement_query_value(compare) -%}
    {%- if changed is not none -%}
        {{ log("customer_engagement_daily: daily points changed from " ~ changed, info=True) }}
        {{ return(engagement_as_date(changed)) }}
    {%- endif -%}
    {{ return(none) }}
{% endmacro %}

{#- Pre-hook of the history: deletes the rows that replacing whole dates cannot reach: dates before
    the history's start (its first events were removed, or engagement_history_start_date moved
    later; every date when nothing is left to build), the rows of customers no longer in
    customers, and dates after the run's score date: the history always ends at
    engagement_score_date, like the scores mart (a run for an earlier date cuts it back; the next
    run for a later date builds those dates again). An empty statement when there are none. -#}
{% macro engagement_history_stale_rows_delete() %}
    {%- if not execute or not is_incremental() or flags.WHICH not in ['run', 'build', 'retry'] -%}
        {{ return('') }}
    {%- endif -%}
    {%- set last = engagement_score_date() -%}
    {%- set full_first = engagement_history_full_first(ref('int_engagement__daily_points')) -%}
    {%- set built_first = engagement_query_value("select min(score_date) from " ~ this) -%}
    {%- set built_last = engagement_query_value("select max(score_date) from " ~ this) -%}
    {%- set conditions = [] -%}
    {%- if full_first is none -%}
        {%- do conditions.append("1 = 1") -%}
    {%- elif built_first is not none and engagement_as_date(built_first) < full_first -%}
        {%- do conditions.append("score_date < " ~ engagement_date_literal(full_first)) -%}
    {%- endif -%}
    {%- if built_last is not none and engagement_as_date(built_last) > last -%}
        {%- do conditions.append("score_date > " ~ engagement_date_literal(last)) -%}
    {%- endif -%}
    {%- if built_last is not none -%}
        {%- set customers = ref('int_engagement__customers') -%}
        {%- set removed = engagement_query_value(
            "select count(*) from " ~ this ~ " as history where history.score_date = "
            ~ engagement_date_literal(engagement_as_date(built_last)) ~ " and not exists (select 1 from " ~ customers
            ~ " as customers where customers.customer_id = history.customer_id)"
        ) -%}
        {%- if removed > 0 -%}
            {%- do conditions.append("customer_id not in (select customer_id from " ~ customers ~ ")") -%}
        {%- endif -%}
    {%- endif -%}
    {%- if not conditions -%}
        {{ return('') }}
    {%- endif -%}
    {{ log("customer_engagement_daily: removing stale rows where " ~ conditions | join(' or '), info=True) }}
    {{ return(engagement_delete_rows(this, conditions | join(' or '))) }}
{% endmacro %}

{#- Deleting rows of a table; Spark tables without Delta Lake cannot, a full refresh can. -#}
{% macro engagement_delete_rows(relation, condition) %}
    {{ return(adapter.dispatch('engagement_delete_rows', 'customer_engagement')(relation, condition)) }}
{% endmacro %}

{% macro default__engagement_delete_rows(relation, condition) -%}
    delete from {{ relation }} where {{ condition }}
{%- endmacro %}

{% macro spark__engagement_delete_rows(relation, condition) -%}
    {{ exceptions.raise_compiler_error(
        "customer_engagement_daily holds rows that can only be removed by a rebuild (" ~ condition
        ~ "): run dbt with --full-refresh --select customer_engagement_daily"
    ) }}
{%- endmacro %}

{#- One row per event date: what the history's scores of that date and later are computed from.
    Sums catch changed amounts; the checksum catches rows that moved between customers or event
    types, and weight edits whose points cancel out within a day. -#}
{% macro engagement_history_fingerprint_sql(daily_points) %}
    select
        event_date,
        cast(count(*) as {{ dbt.type_bigint() }}) as row_count,
        cast(sum(event_count) as {{ dbt.type_bigint() }}) as event_count,
        cast(sum(units) as {{ dbt.type_numeric() }}) as units,
        cast(sum(points) as {{ engagement_type_points() }}) as points,
        max(last_occurred_at) as last_occurred_at,
        cast(sum({{ engagement_row_checksum(['customer_id', 'channel', 'event_type', 'event_count', 'units', 'points', 'last_occurred_at']) }})
            as {{ dbt.type_bigint() }}) as row_checksum
    from {{ daily_points }}
    group by event_date
{%- endmacro %}

{#- What else every history row depends on, as 'name=value;...': the vars that shape a score
    and the tiers seed (the weights reach the daily points, which are fingerprinted per date).
    When any of them changes, every date is rebuilt. -#}
{% macro engagement_history_settings() %}
    {%- set tiers_checksum = engagement_query_value(
        "select sum(" ~ engagement_row_checksum(['tier_rank', 'engagement_tier', 'min_score', 'min_inclusive', 'max_score', 'max_inclusive']) ~ ") from " ~ ref('stg_engagement__tiers')
    ) -%}
    {%- set settings = [
        ('engagement_window_days', engagement_window_days()),
        ('engagement_decay_half_life_days', engagement_decay_half_life_days()),
        ('engagement_history_start_date', engagement_history_start_date()),
        ('engagement_session_timeout_minutes', engagement_session_timeout_minutes()),
        ('engagement_session_minutes_cap', engagement_session_minutes_cap()),
        ('engagement_tiers', tiers_checksum),
    ] -%}
    {%- set parts = [] -%}
    {%- for name, value in settings -%}
        {%- do parts.append(name ~ '=' ~ value) -%}
    {%- endfor -%}
    {{ return(parts | join(';')) }}
{% endmacro %}

{#- The settings that differ between two settings strings, as 'name (old -> new)' phrases. -#}
{% macro engagement_changed_settings(saved, current) %}
    {%- set saved_values = {} -%}
    {%- for part in saved.split(';') -%}
        {%- do saved_values.update({part.split('=')[0]: part.split('=', 1)[-1]}) -%}
    {%- endfor -%}
    {%- set changes = [] -%}
    {%- for part in current.split(';') -%}
        {%- set name = part.split('=')[0] -%}
        {%- set value = part.split('=', 1)[-1] -%}
        {%- if saved_values.get(name) != value -%}
            {%- do changes.append(name ~ ' (' ~ saved_values.get(name, 'not recorded') ~ ' -> ' ~ value ~ ')') -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(changes) }}
{% endmacro %}

{#- Post-hook of the history: records in int_engagement__history_manifest what the history was
    just built from (the daily points' fingerprints up to the score date, and the settings). Runs
    only after the model succeeded, so a failed run leaves the previous manifest (and rebuilds
    more next time). Nothing to record into before the manifest model has been built. -#}
{% macro engagement_record_history_inputs() %}
    {%- set manifest = ref('int_engagement__history_manifest') -%}
    {%- if not execute or load_relation(manifest) is none -%}
        {{ return('') }}
    {%- endif -%}
    {{ return(engagement_replace_rows(manifest, engagement_history_manifest_rows(record=true))) }}
{% endmacro %}

{#- The manifest's rows: the daily points' fingerprints up to the score date and this run's
    settings (record=true, the post-hook); none, with the same columns (record=false, the model,
    which only creates the table). -#}
{% macro engagement_history_manifest_rows(record) %}
    {%- set history_settings = engagement_string_literal(engagement_history_settings()) if record
        else 'cast(null as ' ~ dbt.type_string() ~ ')' -%}
with daily_point_fingerprints as (
    {{ engagement_history_fingerprint_sql(ref('int_engagement__daily_points')) | indent(4) }}
)

select
    event_date,
    row_count,
    event_count,
    units,
    points,
    last_occurred_at,
    row_checksum,
    {{ history_settings }} as history_settings
from daily_point_fingerprints
where {{ 'event_date <= ' ~ engagement_date_literal(engagement_score_date()) if record else '1 = 0' }}
{%- endmacro %}

{#- Replaces every row of a table by a query's rows: a delete and an insert (one hook, so one
    transaction), an overwrite on Spark. -#}
{% macro engagement_replace_rows(relation, sql) %}
    {{ return(adapter.dispatch('engagement_replace_rows', 'customer_engagement')(relation, sql)) }}
{% endmacro %}

{% macro default__engagement_replace_rows(relation, sql) -%}
    delete from {{ relation }};
    insert into {{ relation }} {{ sql }}
{%- endmacro %}

{% macro spark__engagement_replace_rows(relation, sql) -%}
    insert overwrite table {{ relation }} {{ sql }}
{%- endmacro %}

{#- The score changes: incremental (strategy engagement_replace, each customer's rows from the first
    score date whose history row changed) where the engine replaces rows by key; otherwise a table. -#}
{% macro engagement_score_changes_materialization() %}
    {{ return('incremental' if engagement_replaces_rows_by_key() else 'table') }}
{% endmacro %}

{#- The history replaces whole score dates: delete+insert on score_date where the engine has it,
    partition overwrite (partitioned by score_date) on Spark. -#}
{% macro engagement_history_incremental_strategy() %}
    {{ return(adapter.dispatch('engagement_history_incremental_strategy', 'customer_engagement')()) }}
{% endmacro %}

{% macro default__engagement_history_incremental_strategy() %}
    {{ return('delete+insert') }}
{% endmacro %}

{% macro spark__engagement_history_incremental_strategy() %}
    {{ return('insert_overwrite') }}
{% endmacro %}

{% macro engagement_history_partition_by() %}
    {{ return(adapter.dispatch('engagement_history_partition_by', 'customer_engagement')()) }}
{% endmacro %}

{% macro default__engagement_history_partition_by() %}
    {{ return(none) }}
{% endmacro %}

{% macro spark__engagement_history_partition_by() %}
    {{ return(['score_date']) }}
{% endmacro %}

{#- A number per row that changes when any of the columns does; summed per date it fingerprints
    the date. -#}
{% macro engagement_row_checksum(columns) %}
    {{ return(adapter.dispatch('engagement_row_checksum', 'customer_engagement')(columns)) }}
{% endmacro %}

{#- Engines without a row hash fall back to the text length: weaker, the other fingerprint
    columns still catch added, removed and re-weighted rows. -#}
{% macro default__engagement_row_checksum(columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- do parts.append("coalesce(cast(" ~ column ~ " as " ~ dbt.type_string() ~ "), '')") -%}
        {%- if not loop.last %}{% do parts.append("'|'") %}{% endif -%}
    {%- endfor -%}
    cast({{ dbt.length(dbt.concat(parts)) }} as {{ dbt.type_bigint() }})
{%- endmacro %}

{% macro duckdb__engagement_row_checksum(columns) -%}
    cast(hash({{ columns | join(', ') }}) % 1000000007 as {{ dbt.type_bigint() }})
{%- endmacro %}

{% macro postgres__engagement_row_checksum(columns) -%}
    cast(hashtext(concat_ws('|', {{ columns | join(', ') }})) as {{ dbt.type_bigint() }})
{%- endmacro %}

{% macro spark__engagement_row_checksum(columns) -%}
    cast(hash({{ columns | join(', ') }}) as {{ dbt.type_bigint() }})
{%- endmacro %}

{#- First column of the first row of a query, or none. -#}
{% macro engagement_query_value(sql) %}
    {%- set result = run_query(sql) -%}
    {%- if result is none or result.rows | length == 0 -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(result.rows[0][0]) }}
{% endmacro %}

{#- Dates come back from the engines as dates, datetimes or text. -#}
{% macro engagement_as_date(value) %}
    {%- if value is string -%}
        {{ return(modules.datetime.date.fromisoformat(value[:10])) }}
    {%- elif value.date is defined and value.hour is defined -%}
        {{ return(value.date()) }}
    {%- endif -%}
    {{ return(value) }}
{% endmacro %}
