{#- Each customer's latest accepted NPS and CSAT answer up to the end of score_date, however old:
    an answer is the customer's word until they give a new one. -#}
with survey_events as (
    select
        event_key,
        source_row_key,
        customer_id,
        event_type,
        occurred_at
    from {{ ref('int_engagement__events') }}
    where
        source_table = 'survey_responses'
        and event_date <= {{ engagement_date_literal(engagement_score_date()) }}
),

survey_scores as (
    {{ engagement_staged_columns('survey_responses', {
        'source_row_key': dbt.type_string(),
        'survey_type': dbt.type_string(),
        'score': dbt.type_int(),
    }) }}
),

answers_ranked as (
    select
        survey_events.customer_id,
        survey_scores.survey_type,
        survey_scores.score,
        survey_events.event_type,
        survey_events.occurred_at,
        row_number() over (
            partition by survey_events.customer_id, survey_scores.survey_type
            order by survey_events.occurred_at desc, survey_events.event_key desc
        ) as recency
    from survey_events
    inner join survey_scores
        on survey_events.source_row_key = survey_scores.source_row_key
),

final as (
    select
        customer_id,
        survey_type,
        score,
        occurred_at as responded_at,
        -- nps_promoter -> promoter, csat_satisfied -> satisfied: the bucket without its prefix.
        substring(event_type, length(survey_type) + 2) as answer_category
    from answers_ranked
    where recency = 1
)

select
    customer_id,
    survey_type,
    cast(score as {{ dbt.type_int() }}) as score,
    answer_category,
    responded_at
from final
