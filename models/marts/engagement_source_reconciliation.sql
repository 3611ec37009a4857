{#- Every raw row is accepted, a duplicate, or rejected: the counts come from different models, so
    a row lost between them shows up as unaccounted_rows. One row per raw table, customers
    included. -#}
{%- set event_tables = engagement_event_sources() | map(attribute='table') | list -%}

with raw_counts as (
    {%- for table in ['customers'] + event_tables %}
        select
            '{{ table }}' as source_table,
            count(*) as raw_rows
        from {{ source('engagement', table) }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

staged_counts as (
    {%- for table in ['customers'] + event_tables %}
        select
            '{{ table }}' as source_table,
            count(*) as distinct_rows
        from {{ ref('stg_engagement__' ~ table) }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

-- An attended registration gives a second event (attendance) under the same row key: counted
-- once. A count, not a count of distinct keys: that sorted every event again (37 s of a 100M
-- morning run), and a row the event stream doubled shows up as unaccounted instead of hiding.
accepted_counts as (
    select
        source_table,
        count(*) as accepted_rows
    from {{ ref('int_engagement__events') }}
    where source_table <> 'offline_registrations' or event_type <> 'attendance'
    group by source_table
    union all
    select
        'customers' as source_table,
        count(*) as accepted_rows
    from {{ ref('int_engagement__customers') }}
),

rejected_counts as (
    select
        source_table,
        count(*) as rejected_rows
    from {{ ref('engagement_rejected_events') }}
    group by source_table
),

counts as (
    select
        raw_counts.source_table,
        raw_counts.raw_rows,
        coalesce(accepted_counts.accepted_rows, 0) as accepted_rows,
        raw_counts.raw_rows - staged_counts.distinct_rows as duplicate_rows,
        coalesce(rejected_counts.rejected_rows, 0) as rejected_rows
    from raw_counts
    inner join staged_counts
        on raw_counts.source_table = staged_counts.source_table
    left join accepted_counts
        on raw_counts.source_table = accepted_counts.source_table
    left join rejected_counts
        on raw_counts.source_table = rejected_counts.source_table
),

final as (
    select
        source_table,
        raw_rows,
        accepted_rows,
        duplicate_rows,
        rejected_rows,
        raw_rows - accepted_rows - duplicate_rows - rejected_rows as unaccounted_rows
    from counts
)

select * from final
