{#- Small generic tests, so the package needs no other package. -#}

{% test engagement_expression_is_true(model, expression) %}
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
