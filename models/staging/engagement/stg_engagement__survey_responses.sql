{{ config(enabled=var('engagement_using_survey_responses', true)) }}

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
    ) }}
),

typed as (
    select
        source_row_key,
        {{ engagement_clean_id('response_id') }} as source_id,
        {{ engagement_clean_text('customer_id') }} as customer_id,
        {{ engagement_clean_type('survey_type') }} as survey_type,
        cast(score as {{ dbt.type_int() }}) as score,
        cast(responded_at as {{ dbt.type_timestamp() }}) as occurred_at
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
        coalesce(
            (survey_type = 'nps' and score between 0 and 10)
            or (survey_type = 'csat' and score between 1 and 5),
            false
        ) as is_valid_value,
        cast(null as {{ dbt.type_timestamp() }}) as attended_at,
        survey_type,
        score
    from typed
)

select * from final
