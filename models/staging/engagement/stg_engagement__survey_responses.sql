{{ config(
    enabled=engagement_uses_table('survey_responses'),
    materialized=engagement_event_staging_materialization(),
) }}

{%- set score_text = 'cast(score as ' ~ dbt.type_string() ~ ')' -%}

with deduplicated as (
    {{ engagement_deduplicate_rows(
        source('engagement', 'survey_responses'),
        id_column='response_id',
        timestamp_column='responded_at',
        other_columns=[
            'customer_id',
            'survey_type',
            'score',
        ],
        typed_columns={'responded_at': 'timestamp', 'score': 'integer'},
    ) }}
),

typed as (
    select
        source_row_key,
        {{ engagement_clean_id('response_id') }} as source_id,
        {{ engagement_clean_text('customer_id') }} as customer_id,
        {{ engagement_clean_type('survey_type') }} as survey_type,
        score_value as score,
        responded_at_value as occurred_at,
        responded_at_value is null and responded_at_problem is null as is_missing_timestamp,
        {{ engagement_first_problem([
            'responded_at_problem',
            'score_problem',
        ]) }} as unreadable_detail,
        loaded_at
    from deduplicated
),

final as (
    select
        'survey_responses' as source_table,
        source_row_key,
        source_id,
        customer_id,
        'survey' as channel,
        -- NPS buckets follow Bain's definition; CSAT uses the usual 5-point split.
        case
            when survey_type = 'nps' and score between 9 and 10 then 'nps_promoter'
            when survey_type = 'nps' and score between 7 and 8 then 'nps_passive'
            when survey_type = 'nps' and score between 0 and 6 then 'nps_detractor'
            when survey_type = 'csat' and score between 4 and 5 then 'csat_satisfied'
            when survey_type = 'csat' and score = 3 then 'csat_neutral'
            when survey_type = 'csat' and score between 1 and 2 then 'csat_unsatisfied'
        end as event_type,
        occurred_at,
        is_missing_timestamp,
        unreadable_detail,
        case
            when survey_type is null then 'survey_type is missing'
            when survey_type not in ('nps', 'csat')
                then {{ dbt.concat(["'survey_type '''", 'survey_type', "''' is not nps or csat'"]) }}
            when score is null then 'score is missing'
            when survey_type = 'nps' and score not between 0 and 10
                then {{ dbt.concat(["'score '", score_text, "' is not an nps answer (0 to 10)'"]) }}
            when survey_type = 'csat' and score not between 1 and 5
                then {{ dbt.concat(["'score '", score_text, "' is not a csat answer (1 to 5)'"]) }}
        end as content_detail,
        cast(null as date) as attendance_date,
        loaded_at,
        survey_type,
        score
    from typed
)

select * from final
