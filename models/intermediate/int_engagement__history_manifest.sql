{#- The daily history's incremental manifest (as Snowplow's): one row per event date with the
    fingerprint of the daily points customer_engagement_daily was last built from, and the
    settings it was built with. This model only creates the table; the history's post-hook
    replaces its rows after each successful build (engagement_record_history_inputs), so a failed
    history run leaves the previous manifest and the next run rebuilds more. A full refresh empties
    it, which the history reads as "rebuild every date". -#}
{{ config(materialized='incremental') }}

{{ engagement_history_manifest_rows(record=false) }}
