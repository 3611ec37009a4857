{#- Join condition putting a score into its tier of the engagement_tiers seed; every model that
    tiers a score (customer, account, history) uses it so the boundaries live in one place. -#}
{% macro engagement_score_in_tier(score, tier) %}
    (
        {{ tier }}.min_score is null
        or {{ score }} > {{ tier }}.min_score
        or ({{ tier }}.min_inclusive and {{ score }} = {{ tier }}.min_score)
    )
    and (
        {{ tier }}.max_score is null
        or {{ score }} < {{ tier }}.max_score
        or ({{ tier }}.max_inclusive and {{ score }} = {{ tier }}.max_score)
    )
{%- endmacro %}

{#- Score as published: rounded half away from zero to 2 decimals, in one fixed type on every
    engine so BI tools and comparisons see 40.01, not 40.010000. -#}
{% macro engagement_round_points(points) %}
    cast(round(cast(coalesce({{ points }}, 0) as {{ engagement_type_points() }}), 2) as {{ engagement_type_score() }})
{%- endmacro %}

{#- An average or median of scores, published like a score. Some engines average decimals in
    floating point (DuckDB: 40.005 is 40.00499999999999545); 6 decimals take the noise away
    before the rounding, 12 would keep it for large scores. -#}
{% macro engagement_round_average(value) %}
    cast(round(cast(coalesce({{ value }}, 0) as {{ dbt.type_numeric() }}), 2) as {{ engagement_type_score() }})
{%- endmacro %}

{% macro engagement_type_score() %}
    {{ return(adapter.dispatch('engagement_type_score', 'customer_engagement')()) }}
{% endmacro %}

{% macro default__engagement_type_score() %}numeric(18, 2){% endmacro %}

{% macro spark__engagement_type_score() %}decimal(18, 2){% endmacro %}
