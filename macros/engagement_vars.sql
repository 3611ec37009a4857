{#- Every var the models read, one accessor each: the accessor holds the var's only default and
    checks its value, so a bad setting stops the model that reads it with a message naming the
    var. dbt_project.yml documents the vars without setting them. The vars only YAML reads (where
    the raw tables are, source freshness, grants) keep their default where they are read: YAML
    can call no macro. -#}

{#- ---------------------------------------------------------------- the scoring window -#}

{#- The last day of the scoring window; default the UTC date the run started. -#}
{% macro engagement_score_date() %}
    {{ return(engagement_date_var('engagement_score_date', run_started_at.date())) }}
{% endmacro %}

{% macro engagement_window_days() %}
    {{ return(engagement_whole_number_var('engagement_window_days', 30, minimum=1)) }}
{% endmacro %}

{#- Events stamped before this date are not events but loaders' zero times (0001-01-01,
    1900-01-01): such rows are invalid_value rejects, and attendance needs an event day from it on. -#}
{% macro engagement_min_event_date() %}
    {{ return(engagement_date_var('engagement_min_event_date', modules.datetime.date(1970, 1, 1))) }}
{% endmacro %}

{#- Optional time decay: a day's points count 0.5 ^ (age_in_days / half_life); none = no decay. -#}
{% macro engagement_decay_half_life_days() %}
    {{ return(engagement_positive_number_var('engagement_decay_half_life_days', none, optional=true)) }}
{% endmacro %}

{#- ---------------------------------------------------------------- the weights and the tables -#}

{#- A seed (or model) of the root project whose rows replace default weights; none = no overrides. -#}
{% macro engagement_weight_overrides() %}
    {{ return(var('engagement_weight_overrides', none) or none) }}
{% endmacro %}

{#- Whether a raw event table is switched on (engagement_using_<table>). -#}
{% macro engagement_uses_table(table) %}
    {{ return(var('engagement_using_' ~ table, true)) }}
{% endmacro %}

{#- ---------------------------------------------------------------- sessions -#}

{% macro engagement_session_timeout_minutes() %}
    {{ return(engagement_positive_number_var('engagement_session_timeout_minutes', 30)) }}
{% endmacro %}

{% macro engagement_session_timeout_seconds() %}
    {{ return((engagement_session_timeout_minutes() * 60) | int) }}
{% endmacro %}

{#- Most minutes one session gives minutes_on_site: an open tab is not attention. -#}
{% macro engagement_session_minutes_cap() %}
    {{ return(engagement_positive_number_var('engagement_session_minutes_cap', 60)) }}
{% endmacro %}

{#- ---------------------------------------------------------------- the history -#}

{#- First score date of the history, or none: each customer's history then starts at their first
    event. When set, a customer's history starts at their first event or at this date, whichever
    is later. -#}
{% macro engagement_history_start_date() %}
    {{ return(engagement_date_var('engagement_history_start_date', none)) }}
{% endmacro %}

{#- Already built score dates every incremental run of the history rebuilds. -#}
{% macro engagement_lookback_days() %}
    {{ return(engagement_whole_number_var('engagement_lookback_days', 3, minimum=0)) }}
{% endmacro %}

{% macro engagement_alert_drop_points() %}
    {{ return(engagement_positive_number_var('engagement_alert_drop_points', 20)) }}
{% endmacro %}

{% macro engagement_alert_drop_pct() %}
    {{ return(engagement_positive_number_var('engagement_alert_drop_pct', 30)) }}
{% endmacro %}

{#- ---------------------------------------------------------------- analytics -#}

{#- customers columns to segment by. Extra columns (not in the raw contract) pass through
    stg_engagement__customers and int_engagement__customers as trimmed text. -#}
{% macro engagement_segment_columns() %}
    {%- set columns = engagement_list_var('engagement_segment_columns', ['plan', 'country', 'persona']) -%}
    {%- for column in columns if not modules.re.match('^[a-z_][a-z0-9_]*$', column) -%}
        {{ exceptions.raise_compiler_error("engagement_segment_columns: '" ~ column ~ "' is not a lower-case column name") }}
    {%- endfor -%}
    {{ return(columns) }}
{% endmacro %}

{#- Tiers that count as engaged (pct_engaged, share_engaged). -#}
{% macro engagement_engaged_tiers() %}
    {{ return(engagement_list_var('engagement_engaged_tiers', ['somewhat_engaged', 'highly_engaged', 'power_user'])) }}
{% endmacro %}

{#- Plans whose customers can be upgrade candidates, and the tiers that make them one. -#}
{% macro engagement_upgrade_plans() %}
    {{ return(engagement_list_var('engagement_upgrade_plans', ['free', 'trial'])) }}
{% endmacro %}

{% macro engagement_upgrade_tiers() %}
    {{ return(engagement_list_var('engagement_upgrade_tiers', ['highly_engaged', 'power_user'])) }}
{% endmacro %}

{#- Tiers the churn watch looks at, and how far before the window "active before" looks. -#}
{% macro engagement_churn_watch_tiers() %}
    {{ return(engagement_list_var('engagement_churn_watch_tiers', ['churn_risk', 'disengaged'])) }}
{% endmacro %}

{% macro engagement_churn_lookback_days() %}
    {{ return(engagement_whole_number_var('engagement_churn_lookback_days', 90, minimum=1)) }}
{% endmacro %}

{#- ---------------------------------------------------------------- load time -#}

{#- The raw event tables' load-time column (e.g. _loaded_at, Fivetran's _fivetran_synced,
    Snowplow's load_tstamp); none: staging reads every raw row on every run. When set, the event
    staging models are incremental and read only rows loaded since their last run. -#}
{% macro engagement_loaded_at_column() %}
    {%- set column = var('engagement_loaded_at_column', none) -%}
    {%- if column is none or column == '' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if column is not string or not modules.re.match('^[A-Za-z_][A-Za-z0-9_]*$', column) -%}
        {{ exceptions.raise_compiler_error("engagement_loaded_at_column must be a column name (letters, digits, _), got '" ~ column ~ "'") }}
    {%- endif -%}
    {{ return(column) }}
{% endmacro %}

{#- How far before the latest load time already staged a run reads again: loads that commit late
    (a loader's rows stamped before another's finished) are still picked up. Reading a row twice
    changes nothing. Snowplow's packages use the same 6 hours. -#}
{% macro engagement_load_lookback_hours() %}
    {{ return(engagement_whole_number_var('engagement_load_lookback_hours', 6, minimum=0)) }}
{% endmacro %}

{#- ---------------------------------------------------------------- reading a var -#}

{#- A var holding a date as YYYY-MM-DD, as a date; the default when unset or empty. -#}
{% macro engagement_date_var(name, default) %}
    {%- set configured = var(name, none) -%}
    {%- if configured is none or configured == '' -%}
        {{ return(default) }}
    {%- endif -%}
    {{ return(engagement_parse_date_var(name, configured)) }}
{% endmacro %}

{#- One date of var `name` (YYYY-MM-DD) as a date; a compile error naming the var otherwise. -#}
{% macro engagement_parse_date_var(name, value) %}
    {%- set text = value | string -%}
    {%- if not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', text) -%}
        {{ exceptions.raise_compiler_error(name ~ " must be a date as YYYY-MM-DD, got '" ~ text ~ "'") }}
    {%- endif -%}
    {{ return(modules.datetime.date.fromisoformat(text)) }}
{% endmacro %}

{#- A var that must be a number above 0 (or, when optional, unset for none). -#}
{% macro engagement_positive_number_var(name, default, optional=false) %}
    {%- set value = var(name, default) -%}
    {%- if optional and (value is none or value == '') -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if value is not number or value is boolean or value <= 0 -%}
        {{ exceptions.raise_compiler_error(
            name ~ " must be a number above 0" ~ (" (or null)" if optional else "") ~ ", got '" ~ value ~ "'"
        ) }}
    {%- endif -%}
    {{ return(value) }}
{% endmacro %}

{#- A var that must be a whole number of at least `minimum`. -#}
{% macro engagement_whole_number_var(name, default, minimum) %}
    {%- set value = var(name, default) -%}
    {%- if value is not number or value is boolean or value | int != value or value < minimum -%}
        {{ exceptions.raise_compiler_error(name ~ " must be a whole number >= " ~ minimum ~ ", got '" ~ value ~ "'") }}
    {%- endif -%}
    {{ return(value | int) }}
{% endmacro %}

{#- A var that lists names (tiers, plans, columns): a YAML list of strings, never empty. -#}
{% macro engagement_list_var(name, default) %}
    {%- set values = var(name, default) -%}
    {%- if values is string or values is not iterable or values | length == 0 -%}
        {{ exceptions.raise_compiler_error(name ~ " must be a non-empty list, got '" ~ values ~ "'") }}
    {%- endif -%}
    {{ return(values | map('string') | list) }}
{% endmacro %}

{#- A var that must be true or false. -#}
{% macro engagement_boolean_var(name, default) %}
    {%- set value = var(name, default) -%}
    {%- if value is not boolean -%}
        {{ exceptions.raise_compiler_error(name ~ " must be true or false, got '" ~ value ~ "'") }}
    {%- endif -%}
    {{ return(value) }}
{% endmacro %}
