{#- Small generic tests, so the package needs no other package. -#}

{#- Rows where the expression is not true. Under a column (column_name is then set) it states a
    rule about that column, in full, e.g. `change_7d = engagement_score - score_7d_before`. -#}
{% test engagement_expression_is_true(model, expression, column_name=none) %}
    select *
    from {{ model }}
    where not ({{ expression }})
{% endtest %}

{% test engagement_unique_combination(model, columns) %}
    select
        {{ columns | join(', ') }},
        count(*) as copies
    from {{ model }}
    group by {{ columns | join(', ') }}
    having count(*) > 1
{% endtest %}

{% test engagement_has_no_rows(model) %}
    select *
    from {{ model }}
{% endtest %}

{#- Rows whose value lies outside min_value..max_value (bounds included, either may be left out);
    nulls pass, a not_null test says whether they may occur. -#}
{% test engagement_accepted_range(model, column_name, min_value=none, max_value=none) %}
    {%- set outside = [] -%}
    {%- if min_value is not none -%}
        {%- do outside.append(column_name ~ ' < ' ~ min_value) -%}
    {%- endif -%}
    {%- if max_value is not none -%}
        {%- do outside.append(column_name ~ ' > ' ~ max_value) -%}
    {%- endif -%}
    select {{ column_name }}
    from {{ model }}
    where {{ outside | join(' or ') if outside else '1 = 0' }}
{% endtest %}
