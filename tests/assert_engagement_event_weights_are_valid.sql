{#- Fails the build on a bad edit of the weights seed, one row per bad seed row with the problem.
    Because it tests the seed itself, dbt build skips everything downstream of the seed when it
    fails, so the score tables keep their last good state. -#}
{{ config(store_failures=true) }}

{%- set channels = engagement_channels() -%}

{% set bad_rows %}
with weights as (
    select
        weight_source,
        channel,
        event_type,
        weight,
        daily_cap,
        {{ engagement_clean_type('channel') }} as clean_channel,
        {{ engagement_clean_type('event_type') }} as clean_event_type,
        nullif(trim(weight), '') as weight_text,
        nullif(trim(daily_cap), '') as daily_cap_text,
        {{ engagement_try_cast_numeric('weight') }} as weight_number,
        {{ engagement_try_cast_numeric('daily_cap') }} as daily_cap_number
    from ({{ engagement_weight_rows() }}) as weight_rows
),

counted as (
    select
        weights.*,
        count(*) over (partition by weight_source, clean_channel, clean_event_type) as copies
    from weights
),

problems as (
    select
        weight_source,
        channel,
        event_type,
        weight,
        daily_cap,
        case
            when clean_channel is null then 'missing channel'
            when clean_channel not in ('{{ channels | join("', '") }}')
                then 'unknown channel (expected one of {{ channels | join(", ") }})'
            when clean_event_type is null then 'missing event_type'
            when copies > 1 then 'duplicate (channel, event_type)'
            when weight_text is null then 'missing weight'
            when weight_number is null then 'weight is not a number'
            -- Weights are kept to 6 decimals; a finer one would be rounded without a word.
            when {{ dbt.position("'.'", 'weight_text') }} > 0
                and {{ dbt.length('weight_text') }} - {{ dbt.position("'.'", 'weight_text') }} > 6
                then 'weight has more than 6 decimals'
            when daily_cap_text is not null and daily_cap_number is null then 'daily_cap is not a number'
            when daily_cap_number <= 0 then 'daily_cap must be above 0'
            when daily_cap_number != floor(daily_cap_number) then 'daily_cap must be a whole number'
        end as problem
    from counted
)

select
    weight_source,
    channel,
    event_type,
    weight,
    daily_cap,
    problem
from problems
where problem is not null
{% endset %}

{{ engagement_log_rows(ref('engagement_event_weights'), bad_rows, 'Bad row in seed engagement_event_weights') }}
{{ bad_rows }}
