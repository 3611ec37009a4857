{#- The weights as analysts wrote them, as text: the package's seed, plus, when the var
    `engagement_weight_overrides` names a seed (or model) of the root project (the one running dbt), that
    seed's rows, which replace the default row with the same (channel, event_type). -#}
{% macro engagement_weight_rows() %}
    {%- set sources = [('default', ref('engagement_event_weights'))] -%}
    {%- set overrides = var('engagement_weight_overrides', none) -%}
    {%- if overrides -%}
        {%- do sources.append(('override', ref(project_name, overrides))) -%}
    {%- endif -%}
    {%- for weight_source, relation in sources %}
        select
            '{{ weight_source }}' as weight_source,
            cast(channel as {{ dbt.type_string() }}) as channel,
            cast(event_type as {{ dbt.type_string() }}) as event_type,
            cast(weight as {{ dbt.type_string() }}) as weight,
            cast(daily_cap as {{ dbt.type_string() }}) as daily_cap,
            cast(description as {{ dbt.type_string() }}) as description
        from {{ relation }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
{%- endmacro %}
