#!/usr/bin/env python3
"""Generate deterministic demo data for the customer_engagement dbt package.

Writes the seven raw tables of the input contract into one schema of a DuckDB file. Rows are made
inside DuckDB with set-based SQL over range(), so a hundred million events fit a small machine.
Every pseudo-random number is hash(seed, keys, salt) rather than random(): the same arguments give
the same rows whatever the thread count or the order in which DuckDB happens to produce them.

Customers fall into behaviour segments (power, steady, new, fading, churning, churned, dormant), so
that with the shipped weights a score on the end date spreads over every engagement tier. About
one raw row in eleven carries one of the faults the package must handle (duplicates, blank or
unknown customer ids, missing or future timestamps, odd casing, invalid survey answers).

Each customer also has a latent engagement e, uniform in [0, 1), fixed for the whole history. It
makes the engaged segments likelier (the segment is drawn from e plus as much noise), and on
every day, before and after any date one might score, it scales how likely the customer is to be
active (0.6x to 1.4x the segment's rate) and how much they do on an active day (0.5x to 2x). So
past events say something about later ones, as they do in real products, and a backtest of the
score (engagement_backtest_summary) finds a signal: not a tuned number, a consequence of e.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import duckdb

# table -> (id column, timestamp column, SQL that alters a copy while keeping its id)
EVENT_TABLES: dict[str, tuple[str, str, str]] = {
    "web_events": ("event_id", "occurred_at", "page_url || '?utm_source=newsletter' AS page_url"),
    "app_events": ("event_id", "occurred_at", "upper(platform) AS platform"),
    "social_interactions": ("interaction_id", "occurred_at", "upper(network) AS network"),
    "offline_registrations": ("registration_id", "registered_at", "coalesce(NOT attended, true) AS attended"),
    "survey_responses": ("response_id", "responded_at", "score - 1 AS score"),
    "product_events": ("event_id", "occurred_at", "upper(event_type) AS event_type"),
}
RAW_TABLES = ("customers", *EVENT_TABLES)

# Mean events per active customer-day at activity level 1; --events scales the high-volume ones.
WEB_RATE = 8.0
APP_RATE = 3.0
SOCIAL_RATE = 1.2
PRODUCT_RATE = 4.0
ANON_RATE = 5.0
# Nobody answers a survey every day, however busy: these stay put under --events.
OFFLINE_RATE = 0.02
SURVEY_RATE = 0.03
ANON_VISITORS_PER_CUSTOMER = 0.5
ANON_ACTIVE_SHARE = 0.15
# Rows inserted again as copies, per mille of each raw table (exact copies, then altered ones).
EXACT_COPIES = 8
ALTERED_COPIES = 8
DEFAULT_MEMORY_LIMIT = "4GB"


@dataclass(frozen=True)
class Bucket:
    """A per-mille slice of rows, chosen by hashing the row id, that gets one kind of fault."""

    lo: int
    hi: int

    def sql(self) -> str:
        return f"(bad >= {self.lo} AND bad < {self.hi})"


BLANK_ID = Bucket(0, 8)
NULL_ID = Bucket(8, 16)
NULL_TS = Bucket(16, 24)
FUTURE_TS = Bucket(24, 32)
UNKNOWN_ID = Bucket(32, 40)
# Two faults at once, so the order of rejection reasons is exercised.
UNKNOWN_ID_NULL_TS = Bucket(40, 44)
ODD_CASE_TYPE = Bucket(44, 56)
# Valid once trimmed: staging must not reject these.
PADDED_ID = Bucket(56, 62)
SCORE_OUT_OF_RANGE = Bucket(62, 70)
UNKNOWN_SURVEY_TYPE = Bucket(70, 76)
NULL_SCORE = Bucket(76, 78)


@dataclass(frozen=True)
class Spec:
    customers: int
    days: int
    end_date: date
    seed: int
    schema: str

    @property
    def start_date(self) -> date:
        return self.end_date - timedelta(days=self.days - 1)

    def sql(self, template: str, **extra: object) -> str:
        start = datetime(self.start_date.year, self.start_date.month, self.start_date.day)
        values: dict[str, object] = {
            "s": quote_identifier(self.schema),
            "seed": self.seed,
            "customers": self.customers,
            "days": self.days,
            "end": self.end_date.isoformat(),
            "start": self.start_date.isoformat(),
            "start_epoch": int(start.replace(tzinfo=timezone.utc).timestamp()),
            "start_isodow": self.start_date.isoweekday(),
        }
        return template.format(**values, **extra)


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


MACROS = """
CREATE OR REPLACE TEMP MACRO _ceg_u(a, b, c, salt) AS
    (hash({seed}, a::BIGINT, b::BIGINT, c::BIGINT, salt) % 1000000) / 1000000.0;
CREATE OR REPLACE TEMP MACRO _ceg_pick(options, u) AS options[1 + floor(u * len(options))::INTEGER];
CREATE OR REPLACE TEMP MACRO _ceg_ts(d, secs) AS
    make_timestamp((({start_epoch} + d * 86400 + secs) * 1000000)::BIGINT);
-- floor(rate + uniform) keeps the expected count equal to the rate, also for rates below one.
CREATE OR REPLACE TEMP MACRO _ceg_count(rate, c, d, salt) AS
    floor(rate * (0.5 + _ceg_u(c, d, 0, salt || '_n')) + _ceg_u(c, d, 0, salt || '_r'))::BIGINT;
-- Future relative to the end date, not to the row: +30 days while the end date is recent, +10 years
-- so that some rows stay in the future when an old --end-date is replayed.
CREATE OR REPLACE TEMP MACRO _ceg_future(ts, bad) AS
    CAST(DATE '{end}' AS TIMESTAMP)
    + to_days(CASE WHEN bad % 4 = 0 THEN 3650 ELSE 30 END)
    + (ts - date_trunc('day', ts));
"""

PROFILE = """
CREATE OR REPLACE TEMP TABLE _ceg_profile AS
WITH drawn AS (
    SELECT
        range AS c,
        _ceg_u(range, 0, 0, 'engagement') AS engagement,
        _ceg_u(range, 0, 0, 'segment') AS u_segment_noise,
        _ceg_u(range, 0, 0, 'plan') AS u_plan,
        _ceg_u(range, 0, 0, 'churn') AS u_churn,
        _ceg_u(range, 0, 0, 'signup') AS u_signup
    FROM range({customers})
),

-- (1 - engagement) + noise, mapped back to a uniform by the CDF of a sum of two uniforms: the
-- segment shares stay as listed while engaged customers land in the first segments more often.
ranked AS (
    SELECT
        *,
        CASE
            WHEN 1 - engagement + u_segment_noise <= 1 THEN power(1 - engagement + u_segment_noise, 2) / 2
            ELSE 1 - power(1 + engagement - u_segment_noise, 2) / 2
        END AS u_segment
    FROM drawn
),

segmented AS (
    SELECT
        *,
        CASE
            WHEN u_segment < 0.14 THEN 'power'
            WHEN u_segment < 0.46 THEN 'steady'
            WHEN u_segment < 0.58 THEN 'new'
            WHEN u_segment < 0.72 THEN 'fading'
            WHEN u_segment < 0.82 THEN 'churning'
            WHEN u_segment < 0.91 THEN 'churned'
            ELSE 'dormant'
        END AS segment
    FROM ranked
),

lifecycle AS (
    SELECT
        *,
        -- New users sign up in the last four weeks; the others up to two years before the history.
        CASE
            WHEN segment = 'new' THEN greatest({days} - 1 - floor(u_signup * 28), 0)
            ELSE -1 - floor(u_signup * 730)
        END::BIGINT AS signup_day,
        -- Churned users fall silent 31 to 75 days before the end date.
        CASE
            WHEN segment = 'churned' THEN greatest({days} - 31 - floor(u_churn * 45), 0)
        END::BIGINT AS last_active_day,
        -- Churning users are the ones who tell us, through the app or a survey.
        segment = 'churning' OR _ceg_u(c, 0, 0, 'app') < 0.7 AS has_app,
        _ceg_u(c, 0, 0, 'social') < 0.55 AS has_social
    FROM segmented
)

SELECT
    c,
    segment,
    signup_day,
    last_active_day,
    has_app,
    has_social,
    'cus_' || lpad(c::VARCHAR, 7, '0') AS customer_id,
    CASE
        WHEN _ceg_u(c, 0, 0, 'has_account') < 0.7
            THEN 'acc_' || lpad((hash({seed}, c, 'account') % greatest({customers} // 4, 1))::VARCHAR, 6, '0')
    END AS account_id,
    _ceg_ts(signup_day, 28800 + floor(_ceg_u(c, 0, 0, 'signup_time') * 43200)) AS signed_up_at,
    CASE
        WHEN segment = 'new' THEN CASE WHEN u_plan < 0.5 THEN 'trial' WHEN u_plan < 0.9 THEN 'free' ELSE 'paid' END
        WHEN segment = 'power' THEN CASE WHEN u_plan < 0.45 THEN 'enterprise' WHEN u_plan < 0.95 THEN 'paid' ELSE 'free' END
        WHEN segment = 'dormant' THEN CASE WHEN u_plan < 0.6 THEN 'free' WHEN u_plan < 0.85 THEN 'trial' ELSE 'paid' END
        ELSE CASE WHEN u_plan < 0.3 THEN 'free' WHEN u_plan < 0.75 THEN 'paid' WHEN u_plan < 0.9 THEN 'enterprise' ELSE 'trial' END
    END AS plan,
    _ceg_pick(['US', 'US', 'US', 'GB', 'GB', 'DE', 'DE', 'FR', 'NL', 'IN', 'BR', 'JP'], _ceg_u(c, 0, 0, 'country')) AS country,
    _ceg_pick(['developer', 'developer', 'analyst', 'analyst', 'marketer', 'manager'], _ceg_u(c, 0, 0, 'persona')) AS persona,
    -- Events on an active day, relative to a steady user; the latent engagement spreads it
    -- log-uniformly from 0.5x to 2x.
    CASE segment WHEN 'power' THEN 2.5 WHEN 'steady' THEN 1.0 WHEN 'new' THEN 0.8 ELSE 0.7 END
        * exp(ln(4) * (engagement - 0.5)) AS activity,
    -- How likely a day is active, from 0.6x to 1.4x the segment's rate by the latent engagement.
    least(CASE segment WHEN 'power' THEN 0.9 WHEN 'new' THEN 0.7 ELSE 0.5 END * (0.6 + 0.8 * engagement), 1.0)
        AS p_active,
    CASE segment
        WHEN 'power' THEN 0.9 WHEN 'steady' THEN 0.75 WHEN 'new' THEN 0.7 WHEN 'fading' THEN 0.55
        WHEN 'churned' THEN 0.45 WHEN 'churning' THEN 0.3 ELSE 0.5
    END + 0.2 * (_ceg_u(c, 0, 0, 'sentiment') - 0.5) AS sentiment,
    'anon_' || substr(md5('{seed}:c' || c), 1, 16) AS anonymous_id,
    'dev_' || substr(md5('{seed}:d1:' || c), 1, 12) AS device_id,
    'dev_' || substr(md5('{seed}:d2:' || c), 1, 12) AS second_device_id,
    _ceg_pick(['ios', 'android'], _ceg_u(c, 0, 0, 'platform')) AS platform,
    _ceg_pick(['ios', 'android'], _ceg_u(c, 0, 0, 'second_platform')) AS second_platform,
    CASE
        WHEN has_app AND segment NOT IN ('churning', 'churned') AND _ceg_u(c, 0, 0, 'second_device') < 0.25
            THEN floor(_ceg_u(c, 0, 0, 'second_device_day') * {days})
    END::BIGINT AS second_device_day,
    CASE
        WHEN NOT has_app THEN NULL
        WHEN segment = 'churning' AND u_churn < 0.85 THEN greatest({days} - 1 - floor(_ceg_u(c, 0, 0, 'uninstall') * 25), 0)
        WHEN segment = 'churned' AND u_churn < 0.5 THEN last_active_day
        WHEN segment = 'fading' AND u_churn < 0.1 THEN greatest({days} - 1 - floor(_ceg_u(c, 0, 0, 'uninstall') * 30), 0)
    END::BIGINT AS uninstall_day,
    CASE
        WHEN segment = 'churning' AND _ceg_u(c, 0, 0, 'detractor') < 0.6
            THEN greatest({days} - 1 - floor(_ceg_u(c, 0, 0, 'detractor_day') * 25), 0)
    END::BIGINT AS detractor_day
FROM lifecycle
"""

# One row per customer-day with any activity; how likely a day is active follows the segment's
# story over the history (fading declines, churning drops 40 days before the end, and so on).
ACTIVE_DAYS = """
CREATE OR REPLACE TEMP VIEW _ceg_active_days AS
SELECT
    p.*,
    days.range AS d
FROM _ceg_profile AS p
CROSS JOIN range({days}) AS days
WHERE _ceg_u(p.c, days.range, 0, 'active') < p.p_active
    * CASE p.segment
        WHEN 'fading' THEN 1.0 - 0.7 * days.range / greatest({days} - 1, 1)
        WHEN 'churning' THEN CASE WHEN days.range < {days} - 40 THEN 1.0 ELSE 0.15 END
        WHEN 'churned' THEN CASE WHEN days.range <= p.last_active_day THEN 1.0 ELSE 0.0 END
        -- From the day after sign-up, so that no event precedes it.
        WHEN 'new' THEN CASE WHEN days.range > p.signup_day THEN least(1.0, 0.3 + 0.1 * (days.range - p.signup_day)) ELSE 0.0 END
        WHEN 'dormant' THEN 0.0
        ELSE 1.0
    END
    * CASE
        WHEN ({start_isodow} - 1 + days.range) % 7 < 5 THEN 1.0
        WHEN p.segment = 'power' THEN 0.85
        ELSE 0.6
    END
"""

CUSTOMERS = """
CREATE OR REPLACE TABLE {s}.customers AS
SELECT customer_id, account_id, signed_up_at, plan, country, persona
FROM _ceg_profile
"""

# Same id, a later sign-up and another plan: the earliest copy is the one to keep.
CUSTOMER_COPIES = """
INSERT INTO {s}.customers
SELECT * EXCLUDE (h) REPLACE (
    CASE WHEN h < {exact} THEN signed_up_at ELSE signed_up_at + INTERVAL 1 DAY END AS signed_up_at,
    CASE WHEN h < {exact} THEN plan ELSE 'paid' END AS plan
)
FROM (SELECT *, hash({seed}, customer_id, 'dup') % 1000 AS h FROM {s}.customers)
WHERE h < {exact} + {altered}
"""

# A copy keeps its id. Altered copies either move in time (earlier: the copy is the one to keep;
# later: the original is) or keep the timestamp and differ in another column, for the tie-break.
EVENT_COPIES = """
INSERT INTO {s}.{table}
SELECT * EXCLUDE (h) REPLACE (
    CASE WHEN h % 3 = 0 THEN {ts} - INTERVAL 90 SECOND ELSE {ts} + INTERVAL 5 MINUTE END AS {ts}
)
FROM (SELECT *, hash({seed}, {id}, 'dup') % 1000 AS h FROM {s}.{table})
WHERE h >= {exact} AND h < {exact} + {altered} AND h % 3 < 2;

INSERT INTO {s}.{table}
SELECT * EXCLUDE (h) REPLACE ({altered_column})
FROM (SELECT *, hash({seed}, {id}, 'dup') % 1000 AS h FROM {s}.{table})
WHERE h >= {exact} AND h < {exact} + {altered} AND h % 3 = 2;

INSERT INTO {s}.{table}
SELECT * FROM {s}.{table}
WHERE hash({seed}, {id}, 'dup') % 1000 < {exact}
"""

WEB_EVENTS = """
CREATE OR REPLACE TABLE {s}.web_events AS
WITH visits AS (
    SELECT
        c AS k,
        'c' || c AS who,
        d,
        customer_id,
        anonymous_id,
        _ceg_count({web_rate} * activity * {scale}, c, d, 'web') AS n
    FROM _ceg_active_days
    UNION ALL
    -- Anonymous visitors get negative keys so they never share a hash key with a customer.
    SELECT
        -1 - v.range,
        'a' || v.range,
        days.range,
        NULL,
        'anon_' || substr(md5('{seed}:a' || v.range), 1, 16),
        _ceg_count({anon_rate} * {scale}, -1 - v.range, days.range, 'web')
    FROM range({visitors}) AS v
    CROSS JOIN range({days}) AS days
    WHERE _ceg_u(-1 - v.range, days.range, 0, 'anon_active') < {anon_active}
),

hits AS (
    SELECT
        k,
        who,
        d,
        customer_id,
        anonymous_id,
        -- About ten hits per session, so a session lasts minutes and stays inside its day.
        1 + n // 10 AS sessions,
        unnest(range(n)) AS i
    FROM visits
    WHERE n > 0
),

shaped AS (
    SELECT
        'web_' || who || '_' || d || '_' || i AS event_id,
        customer_id,
        anonymous_id,
        CASE
            WHEN _ceg_u(k, d, i % sessions, 'session_lost') < 0.03 THEN NULL
            ELSE 'ses_' || who || '_' || d || '_' || i % sessions
        END AS session_id,
        CASE
            WHEN i < sessions THEN 'page_view'
            WHEN _ceg_u(k, d, i, 'web_type') < 0.03 THEN 'scroll'
            WHEN _ceg_u(k, d, i, 'web_type') < 0.40 THEN 'click'
            ELSE 'page_view'
        END AS event_type,
        'https://www.example.com' || _ceg_pick(
            ['/', '/pricing', '/docs', '/docs/getting-started', '/blog', '/product/reports',
             '/integrations', '/account/settings', '/help'],
            _ceg_u(k, d, i, 'page')
        ) AS page_url,
        _ceg_ts(
            d,
            25200 + floor(_ceg_u(k, d, i % sessions, 'session_start') * 50400)
            + (i // sessions) * 40 + floor(_ceg_u(k, d, i, 'dwell') * 40)
        ) AS occurred_at
    FROM hits
)

SELECT
    event_id,
    {customer_id} AS customer_id,
    anonymous_id,
    session_id,
    {event_type} AS event_type,
    page_url,
    {occurred_at} AS occurred_at
FROM (SELECT *, hash({seed}, event_id, 'bad') % 1000 AS bad FROM shaped)
"""

APP_EVENTS = """
CREATE OR REPLACE TABLE {s}.app_events AS
WITH app_days AS (
    SELECT
        *,
        _ceg_count({app_rate} * activity * {scale}, c, d, 'app') AS n
    FROM _ceg_active_days
    WHERE has_app AND d < coalesce(uninstall_day, {days})
),

opens AS (
    SELECT
        c,
        d,
        customer_id,
        device_id,
        platform,
        second_device_id,
        second_platform,
        second_device_day,
        unnest(range(n)) AS i
    FROM app_days
    WHERE n > 0
),

shaped AS (
    SELECT
        'app_' || c || '_' || d || '_' || i AS event_id,
        customer_id,
        CASE WHEN second_i THEN second_device_id ELSE device_id END AS device_id,
        CASE WHEN second_i THEN second_platform ELSE platform END AS platform,
        'app_open' AS event_type,
        _ceg_ts(d, 21600 + floor(_ceg_u(c, d, i, 'app_time') * 61200)) AS occurred_at
    FROM (
        SELECT
            *,
            d >= coalesce(second_device_day, {days}) AND _ceg_u(c, d, i, 'device') < 0.4 AS second_i
        FROM opens
    )
    UNION ALL
    -- Devices first installed inside the history: a new customer's phone, or a second device.
    SELECT
        'app_' || c || '_install',
        customer_id,
        device_id,
        platform,
        'app_install',
        signed_up_at + INTERVAL 10 MINUTE
    FROM _ceg_profile
    WHERE has_app AND signup_day >= 0
    UNION ALL
    SELECT
        'app_' || c || '_install2',
        customer_id,
        second_device_id,
        second_platform,
        'app_install',
        _ceg_ts(second_device_day, 3600 + floor(_ceg_u(c, 0, 0, 'install2_time') * 18000))
    FROM _ceg_profile
    WHERE second_device_day IS NOT NULL
    UNION ALL
    SELECT
        'app_' || c || '_uninstall',
        customer_id,
        device_id,
        platform,
        'app_uninstall',
        _ceg_ts(uninstall_day, 72000 + floor(_ceg_u(c, 0, 0, 'uninstall_time') * 10800))
    FROM _ceg_profile
    WHERE uninstall_day IS NOT NULL
)

SELECT
    event_id,
    {customer_id} AS customer_id,
    device_id,
    platform,
    {event_type} AS event_type,
    {occurred_at} AS occurred_at
FROM (SELECT *, hash({seed}, event_id, 'bad') % 1000 AS bad FROM shaped)
"""

SOCIAL_INTERACTIONS = """
CREATE OR REPLACE TABLE {s}.social_interactions AS
WITH social_days AS (
    SELECT
        c,
        d,
        customer_id,
        _ceg_count({social_rate} * activity * {scale}, c, d, 'social') AS n
    FROM _ceg_active_days
    WHERE has_social
),

interactions AS (
    SELECT c, d, customer_id, unnest(range(n)) AS i
    FROM social_days
    WHERE n > 0
),

shaped AS (
    SELECT
        'soc_' || c || '_' || d || '_' || i AS interaction_id,
        customer_id,
        _ceg_pick(['linkedin', 'linkedin', 'x', 'facebook', 'instagram', 'youtube'], _ceg_u(c, d, i, 'network')) AS network,
        CASE
            WHEN _ceg_u(c, d, i, 'social_type') < 0.7 THEN 'like'
            WHEN _ceg_u(c, d, i, 'social_type') < 0.9 THEN 'comment'
            ELSE 'share'
        END AS interaction_type,
        _ceg_ts(d, 25200 + floor(_ceg_u(c, d, i, 'social_time') * 57600)) AS occurred_at
    FROM interactions
)

SELECT
    interaction_id,
    {customer_id} AS customer_id,
    network,
    {interaction_type} AS interaction_type,
    {occurred_at} AS occurred_at
FROM (SELECT *, hash({seed}, interaction_id, 'bad') % 1000 AS bad FROM shaped)
"""

OFFLINE_REGISTRATIONS = """
CREATE OR REPLACE TABLE {s}.offline_registrations AS
WITH registration_days AS (
    SELECT
        c,
        d,
        customer_id,
        _ceg_count({offline_rate} * activity, c, d, 'offline') AS n
    FROM _ceg_active_days
),

registrations AS (
    SELECT c, d, customer_id, unnest(range(n)) AS i
    FROM registration_days
    WHERE n > 0
),

shaped AS (
    SELECT
        'reg_' || c || '_' || d || '_' || i AS registration_id,
        customer_id,
        _ceg_pick(['Customer Summit', 'Analytics Meetup', 'Product Roadshow', 'Onboarding Workshop', 'Partner Breakfast'],
            _ceg_u(c, d, i, 'event_name'))
        || ' ' || _ceg_pick(['London', 'Berlin', 'New York', 'Austin', 'Paris', 'Amsterdam'], _ceg_u(c, d, i, 'city'))
            AS event_name,
        d + 3 + floor(_ceg_u(c, d, i, 'event_day') * 25)::BIGINT AS event_day,
        _ceg_ts(d, 32400 + floor(_ceg_u(c, d, i, 'registered_time') * 36000)) AS registered_at,
        _ceg_u(c, d, i, 'attended') AS u_attended
    FROM registrations
)

SELECT
    registration_id,
    {customer_id} AS customer_id,
    event_name,
    DATE '{start}' + event_day::INTEGER AS event_date,
    {registered_at} AS registered_at,
    CASE
        -- The event has not happened yet by the end date.
        WHEN event_day > {days} - 1 THEN NULL
        WHEN u_attended < 0.6 THEN true
        WHEN u_attended < 0.9 THEN false
    END AS attended
FROM (SELECT *, hash({seed}, registration_id, 'bad') % 1000 AS bad FROM shaped)
"""

SURVEY_RESPONSES = """
CREATE OR REPLACE TABLE {s}.survey_responses AS
WITH survey_days AS (
    SELECT
        c,
        d,
        customer_id,
        sentiment,
        _ceg_count({survey_rate}, c, d, 'survey') AS n
    FROM _ceg_active_days
),

answers AS (
    SELECT c, d, customer_id, sentiment, unnest(range(n)) AS i
    FROM survey_days
    WHERE n > 0
),

-- mood in [0, 1] becomes the score: 10 x mood for NPS, 1 + 4 x mood for CSAT.
shaped AS (
    SELECT
        'srv_' || c || '_' || d || '_' || i AS response_id,
        customer_id,
        CASE WHEN _ceg_u(c, d, i, 'survey_type') < 0.55 THEN 'nps' ELSE 'csat' END AS survey_type,
        least(greatest(sentiment + 0.5 * (_ceg_u(c, d, i, 'mood') - 0.5), 0.0), 1.0) AS mood,
        _ceg_ts(d, 28800 + floor(_ceg_u(c, d, i, 'survey_time') * 43200)) AS responded_at
    FROM answers
    UNION ALL
    SELECT
        'srv_' || c || '_churn',
        customer_id,
        'nps',
        0.6 * _ceg_u(c, 0, 0, 'detractor_mood'),
        _ceg_ts(detractor_day, 28800 + floor(_ceg_u(c, 0, 0, 'detractor_time') * 43200))
    FROM _ceg_profile
    WHERE detractor_day IS NOT NULL
),

scored AS (
    SELECT
        *,
        CASE WHEN survey_type = 'nps' THEN round(10 * mood) ELSE 1 + round(4 * mood) END::INTEGER AS score,
        hash({seed}, response_id, 'bad') % 1000 AS bad
    FROM shaped
)

SELECT
    response_id,
    {customer_id} AS customer_id,
    CASE
        WHEN {unknown_survey_type} THEN _ceg_pick(['ces', 'nps_v2', 'pulse'], (bad % 3) / 3.0)
        ELSE {survey_type}
    END AS survey_type,
    CASE
        WHEN {score_out_of_range} THEN
            CASE WHEN survey_type = 'nps' THEN CASE WHEN bad % 2 = 0 THEN 11 ELSE -1 END
                 ELSE CASE WHEN bad % 2 = 0 THEN 6 ELSE 0 END END
        WHEN {null_score} THEN NULL
        ELSE score
    END AS score,
    {responded_at} AS responded_at
FROM scored
"""

PRODUCT_EVENTS = """
CREATE OR REPLACE TABLE {s}.product_events AS
WITH product_days AS (
    SELECT
        c,
        d,
        customer_id,
        _ceg_count({product_rate} * activity * {scale}, c, d, 'product') AS n
    FROM _ceg_active_days
),

actions AS (
    SELECT c, d, customer_id, unnest(range(n)) AS i
    FROM product_days
    WHERE n > 0
),

shaped AS (
    SELECT
        'prd_' || c || '_' || d || '_' || i AS event_id,
        customer_id,
        CASE
            WHEN u < 0.59 THEN 'message_sent'
            WHEN u < 0.75 THEN 'report_created'
            WHEN u < 0.87 THEN 'file_uploaded'
            WHEN u < 0.94 THEN 'dashboard_shared'
            WHEN u < 0.96 THEN 'invite_teammate'
            WHEN u < 0.97 THEN 'integration_connected'
            ELSE 'theme_changed'
        END AS event_type,
        _ceg_ts(d, 28800 + floor(_ceg_u(c, d, i, 'product_time') * 43200)) AS occurred_at
    FROM (SELECT *, _ceg_u(c, d, i, 'product_type') AS u FROM actions)
)

SELECT
    event_id,
    {customer_id} AS customer_id,
    {event_type} AS event_type,
    {occurred_at} AS occurred_at
FROM (SELECT *, hash({seed}, event_id, 'bad') % 1000 AS bad FROM shaped)
"""

# What the high-volume tables would hold at scale 1, so --events can pick the scale up front. Summed
# as integers (micro-events): a parallel sum of doubles depends on the order of the threads, and
# the scale must not, or the same arguments would not give the same rows.
EXPECTED_HIGH_VOLUME = """
SELECT
    coalesce(sum((1000000 * activity * (
        {web_rate} + {product_rate}
        + CASE WHEN has_app AND d < coalesce(uninstall_day, {days}) THEN {app_rate} ELSE 0 END
        + CASE WHEN has_social THEN {social_rate} ELSE 0 END
    ))::BIGINT), 0)
FROM _ceg_active_days
"""

CLEANUP = """
DROP VIEW IF EXISTS _ceg_active_days;
DROP TABLE IF EXISTS _ceg_profile;
DROP MACRO IF EXISTS _ceg_future;
DROP MACRO IF EXISTS _ceg_count;
DROP MACRO IF EXISTS _ceg_ts;
DROP MACRO IF EXISTS _ceg_pick;
DROP MACRO IF EXISTS _ceg_u;
"""


def customer_id_sql(*, null_allowed: bool) -> str:
    # On the web a missing id means an anonymous visitor, who is already plentiful.
    null_case = f"WHEN {NULL_ID.sql()} THEN NULL" if null_allowed else ""
    return f"""CASE
        WHEN customer_id IS NULL THEN NULL
        WHEN {BLANK_ID.sql()} THEN CASE WHEN bad % 2 = 0 THEN '' ELSE '   ' END
        {null_case}
        WHEN {UNKNOWN_ID.sql()} OR {UNKNOWN_ID_NULL_TS.sql()} THEN replace(customer_id, 'cus_', 'cus_x')
        WHEN {PADDED_ID.sql()} THEN ' ' || customer_id || '  '
        ELSE customer_id
    END"""


def timestamp_sql(column: str) -> str:
    return f"""CASE
        WHEN {NULL_TS.sql()} OR {UNKNOWN_ID_NULL_TS.sql()} THEN NULL
        WHEN {FUTURE_TS.sql()} THEN _ceg_future({column}, bad)
        ELSE {column}
    END"""


def type_sql(column: str) -> str:
    # 'PAGE_VIEW ', ' PAGE_VIEW', 'Page_View ': what hand-written trackers and ETL tools produce.
    return f"""CASE
        WHEN NOT {ODD_CASE_TYPE.sql()} THEN {column}
        WHEN bad % 3 = 0 THEN upper({column}) || ' '
        WHEN bad % 3 = 1 THEN ' ' || upper({column})
        ELSE array_to_string(list_transform(string_split({column}, '_'), lambda w: upper(w[1]) || w[2:]), '_') || ' '
    END"""


def anonymous_visitors(spec: Spec) -> int:
    return max(int(spec.customers * ANON_VISITORS_PER_CUSTOMER), 1)


def rates(scale: float, spec: Spec) -> dict[str, object]:
    return {
        "scale": f"{scale!r}::DOUBLE",
        "web_rate": WEB_RATE,
        "app_rate": APP_RATE,
        "social_rate": SOCIAL_RATE,
        "product_rate": PRODUCT_RATE,
        "anon_rate": ANON_RATE,
        "offline_rate": OFFLINE_RATE,
        "survey_rate": SURVEY_RATE,
        "anon_active": ANON_ACTIVE_SHARE,
        "visitors": anonymous_visitors(spec),
    }


def table_sql(template: str, spec: Spec, scale: float, timestamp: str, *, null_id_allowed: bool = True) -> str:
    return spec.sql(
        template,
        **rates(scale, spec),
        customer_id=customer_id_sql(null_allowed=null_id_allowed),
        event_type=type_sql("event_type"),
        interaction_type=type_sql("interaction_type"),
        survey_type=type_sql("survey_type"),
        unknown_survey_type=UNKNOWN_SURVEY_TYPE.sql(),
        score_out_of_range=SCORE_OUT_OF_RANGE.sql(),
        null_score=NULL_SCORE.sql(),
        **{timestamp: timestamp_sql(timestamp)},
    )


def scale_for(con: duckdb.DuckDBPyConnection, spec: Spec, events: int | None, low_volume_rows: int) -> float:
    """The factor on the high-volume rates that makes all event tables hold about `events` rows."""
    if events is None:
        return 1.0
    anonymous = anonymous_visitors(spec) * spec.days * ANON_ACTIVE_SHARE * ANON_RATE
    expected = scalar(con, spec.sql(EXPECTED_HIGH_VOLUME, **rates(1.0, spec))) / 1000000 + anonymous
    copies = (EXACT_COPIES + ALTERED_COPIES) / 1000
    wanted = events / (1 + copies) - low_volume_rows
    return max(wanted, 0.0) / expected


def add_copies(con: duckdb.DuckDBPyConnection, spec: Spec) -> None:
    counts = {"exact": EXACT_COPIES, "altered": ALTERED_COPIES}
    con.execute(spec.sql(CUSTOMER_COPIES, **counts))
    for table, (id_column, ts_column, altered_column) in EVENT_TABLES.items():
        con.execute(spec.sql(EVENT_COPIES, table=table, id=id_column, ts=ts_column, altered_column=altered_column, **counts))


def scalar(con: duckdb.DuckDBPyConnection, sql: str, parameters: Sequence[object] = ()) -> int:
    # fetchall, not fetchone: a half-read result blocks the caller's next query on `con`.
    rows = con.execute(sql, list(parameters)).fetchall()
    return int(rows[0][0])


def count_rows(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> int:
    return scalar(con, f"SELECT count(*) FROM {quote_identifier(schema)}.{table}")


def generate(
    con: duckdb.DuckDBPyConnection,
    *,
    customers: int,
    days: int,
    end_date: date,
    seed: int,
    events: int | None = None,
    schema: str = "raw",
) -> dict[str, int]:
    """(Re)create the seven raw tables in `schema` and return their row counts.

    `events`, when given, scales the per-customer activity so that the six event tables hold
    roughly that many rows in total. Leaves preserve_insertion_order off on `con`.
    """
    if customers < 1 or days < 1:
        raise ValueError("customers and days must be at least 1")
    spec = Spec(customers=customers, days=days, end_date=end_date, seed=seed, schema=schema)
    # Insertion order is meaningless here and keeping it costs memory at a hundred million rows.
    con.execute("SET preserve_insertion_order = false")
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {quote_identifier(schema)}")
    try:
        con.execute(spec.sql(MACROS))
        con.execute(spec.sql(PROFILE))
        con.execute(spec.sql(ACTIVE_DAYS))
        con.execute(table_sql(OFFLINE_REGISTRATIONS, spec, 1.0, "registered_at"))
        con.execute(table_sql(SURVEY_RESPONSES, spec, 1.0, "responded_at"))
        low_volume = count_rows(con, schema, "offline_registrations") + count_rows(con, schema, "survey_responses")
        scale = scale_for(con, spec, events, low_volume)
        con.execute(table_sql(WEB_EVENTS, spec, scale, "occurred_at", null_id_allowed=False))
        con.execute(table_sql(APP_EVENTS, spec, scale, "occurred_at"))
        con.execute(table_sql(SOCIAL_INTERACTIONS, spec, scale, "occurred_at"))
        con.execute(table_sql(PRODUCT_EVENTS, spec, scale, "occurred_at"))
        # Customers last: --if-empty looks at them, so a run that died half-way is redone.
        con.execute(spec.sql(CUSTOMERS))
        add_copies(con, spec)
    finally:
        con.execute(CLEANUP)
    return {table: count_rows(con, schema, table) for table in RAW_TABLES}


def has_customers(con: duckdb.DuckDBPyConnection, schema: str) -> bool:
    exists = scalar(
        con,
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = 'customers'",
        [schema],
    )
    return exists > 0 and count_rows(con, schema, "customers") > 0


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Write deterministic demo raw tables for the customer_engagement dbt package into DuckDB.",
    )
    parser.add_argument(
        "--database",
        default=os.environ.get("ENGAGEMENT_DUCKDB_PATH", "engagement.duckdb"),
        help="DuckDB file (default: $ENGAGEMENT_DUCKDB_PATH, else engagement.duckdb)",
    )
    parser.add_argument("--schema", default="raw", help="schema of the raw tables (default: raw)")
    parser.add_argument("--customers", type=positive_int, default=2000, help="number of customers (default: 2000)")
    parser.add_argument("--days", type=positive_int, default=120, help="days of history (default: 120)")
    parser.add_argument(
        "--end-date",
        type=date.fromisoformat,
        default=datetime.now(timezone.utc).date(),
        help="last day with events, YYYY-MM-DD (default: today, UTC)",
    )
    parser.add_argument("--seed", type=int, default=42, help="seed; same arguments give the same rows (default: 42)")
    parser.add_argument(
        "--events",
        type=positive_int,
        help="roughly this many event rows in total, by scaling each customer's activity",
    )
    parser.add_argument(
        "--memory-limit",
        default=DEFAULT_MEMORY_LIMIT,
        help=f"DuckDB memory_limit; spills to disk beyond it (default: {DEFAULT_MEMORY_LIMIT})",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--replace",
        dest="if_empty",
        action="store_false",
        help="(re)create the tables even if they hold data (the default)",
    )
    mode.add_argument(
        "--if-empty",
        dest="if_empty",
        action="store_true",
        help="do nothing if <schema>.customers already has rows",
    )
    # Both flags share one destination, and store_false would otherwise make --if-empty the default.
    parser.set_defaults(if_empty=False)
    args = parser.parse_args(argv)
    if not re.fullmatch(r"\d+(\.\d+)?\s*[KMGT]i?B", args.memory_limit, flags=re.IGNORECASE):
        parser.error(f"--memory-limit: expected a size such as 4GB, got {args.memory_limit!r}")
    return args


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    con = duckdb.connect(args.database)
    try:
        con.execute(f"SET memory_limit = '{args.memory_limit}'")
        if args.if_empty and has_customers(con, args.schema):
            print(f"{args.database}: {args.schema}.customers already has rows; nothing generated.")
            return 0
        started = time.perf_counter()
        counts = generate(
            con,
            customers=args.customers,
            days=args.days,
            end_date=args.end_date,
            seed=args.seed,
            events=args.events,
            schema=args.schema,
        )
        elapsed = time.perf_counter() - started
    finally:
        con.close()
    print(f"{args.database}: schema {args.schema}, end date {args.end_date}, {elapsed:.1f}s")
    for table, rows in counts.items():
        print(f"  {table:<28}{rows:>14,}")
    print(f"  {'events (all but customers)':<28}{sum(counts.values()) - counts['customers']:>14,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
