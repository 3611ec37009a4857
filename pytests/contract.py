"""The raw input contract and the BI contract of issue 3, as data.

Only facts stated by the issue live here (table names, columns in contract order, column types,
channels, mart names). Both the oracle and the test harness read them.
"""

from __future__ import annotations

from dataclasses import dataclass

# Column name -> DuckDB type, in contract order.
CUSTOMERS: dict[str, str] = {
    "customer_id": "VARCHAR",
    "account_id": "VARCHAR",
    "signed_up_at": "TIMESTAMP",
    "plan": "VARCHAR",
    "country": "VARCHAR",
    "persona": "VARCHAR",
}


@dataclass(frozen=True)
class EventSource:
    """One raw event table: where its id, customer, type and timestamp are."""

    table: str
    channel: str
    id_column: str
    timestamp_column: str
    type_column: str | None  # None: the event type is derived (offline, survey)
    columns: dict[str, str]


EVENT_SOURCES: tuple[EventSource, ...] = (
    EventSource(
        "web_events", "web", "event_id", "occurred_at", "event_type",
        {
            "event_id": "VARCHAR", "customer_id": "VARCHAR", "anonymous_id": "VARCHAR",
            "session_id": "VARCHAR", "event_type": "VARCHAR", "page_url": "VARCHAR",
            "occurred_at": "TIMESTAMP",
        },
    ),
    EventSource(
        "app_events", "app", "event_id", "occurred_at", "event_type",
        {
            "event_id": "VARCHAR", "customer_id": "VARCHAR", "device_id": "VARCHAR",
            "platform": "VARCHAR", "event_type": "VARCHAR", "occurred_at": "TIMESTAMP",
        },
    ),
    EventSource(
        "social_interactions", "social", "interaction_id", "occurred_at", "interaction_type",
        {
            "interaction_id": "VARCHAR", "customer_id": "VARCHAR", "network": "VARCHAR",
            "interaction_type": "VARCHAR", "occurred_at": "TIMESTAMP",
        },
    ),
    EventSource(
        "offline_registrations", "offline", "registration_id", "registered_at", None,
        {
            "registration_id": "VARCHAR", "customer_id": "VARCHAR", "event_name": "VARCHAR",
            "event_date": "DATE", "registered_at": "TIMESTAMP", "attended": "BOOLEAN",
        },
    ),
    EventSource(
        "survey_responses", "survey", "response_id", "responded_at", None,
        {
            "response_id": "VARCHAR", "customer_id": "VARCHAR", "survey_type": "VARCHAR",
            "score": "INTEGER", "responded_at": "TIMESTAMP",
        },
    ),
    EventSource(
        "product_events", "product", "event_id", "occurred_at", "event_type",
        {
            "event_id": "VARCHAR", "customer_id": "VARCHAR", "event_type": "VARCHAR",
            "occurred_at": "TIMESTAMP",
        },
    ),
)
SOURCE_BY_TABLE: dict[str, EventSource] = {s.table: s for s in EVENT_SOURCES}
CHANNELS: tuple[str, ...] = tuple(s.channel for s in EVENT_SOURCES)
RAW_TABLES: dict[str, dict[str, str]] = {
    "customers": CUSTOMERS,
    **{s.table: s.columns for s in EVENT_SOURCES},
}

# Var that switches each optional raw table on or off.
USING_VAR: dict[str, str] = {s.table: f"engagement_using_{s.table}" for s in EVENT_SOURCES}

# Marts (BI contract): name -> columns, and the primary key used to compare rows.
MARTS: dict[str, tuple[str, ...]] = {
    "customer_engagement_scores": (
        "customer_id", "account_id", "plan", "country", "persona", "score_date",
        "engagement_score", "web_score", "app_score", "social_score", "offline_score",
        "survey_score", "product_score", "event_count", "active_days", "last_event_at",
    ),
    "customer_engagement_tiers": (
        "customer_id", "score_date", "engagement_score", "engagement_tier", "tier_rank",
        "tier_label",
    ),
    "engagement_tier_summary": (
        "score_date", "engagement_tier", "tier_rank", "customers", "share_of_customers",
        "avg_engagement_score",
    ),
    "engagement_rejected_events": (
        "source_table", "source_id", "customer_id", "reason", "occurred_at", "rejection_detail",
    ),
    "engagement_source_reconciliation": (
        "source_table", "raw_rows", "accepted_rows", "duplicate_rows", "rejected_rows",
        "unaccounted_rows",
    ),
    "engagement_unweighted_event_types": ("channel", "event_type", "events", "customers"),
}
MART_KEYS: dict[str, tuple[str, ...]] = {
    "customer_engagement_scores": ("customer_id",),
    "customer_engagement_tiers": ("customer_id",),
    "engagement_tier_summary": ("engagement_tier",),
    # A rejected null-id row has no id; the whole row is its key (compared as a multiset).
    "engagement_rejected_events": MARTS["engagement_rejected_events"][:5],
    "engagement_source_reconciliation": ("source_table",),
    "engagement_unweighted_event_types": ("channel", "event_type"),
}
