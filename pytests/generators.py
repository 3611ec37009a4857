"""Hypothesis strategies: small random raw tables and weights seeds.

Raw values include padded/blank/unknown customer ids, mixed-case types, null and far-future
timestamps, out-of-range survey scores, exact copies and same-id copies with another timestamp.
Same-id copies never tie on the timestamp unless they differ only in a column no rule reads, so
the kept copy is fixed by the contract alone.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from contract import EVENT_SOURCES, EventSource
from oracle import SURVEY_BUCKETS, Row, Weight

SCORE_DATE = date(2024, 3, 31)
WINDOW_DAYS = 10
FAR_FUTURE = datetime(2099, 6, 1, 12, 0, 0)
CUSTOMER_POOL = ("c1", "c2", "c3", "c4")
CUSTOMER_REFS = (*CUSTOMER_POOL, " c1 ", "c2  ", "c9", None, "", "  ")

EVENT_TYPES: dict[str, tuple[str, ...]] = {
    "web": ("page_view", "click", " Page_View", "signup", "scroll"),
    "app": ("app_open", "app_install", "APP_UNINSTALL", "crash"),
    "social": ("like", "share", "comment "),
    "product": ("invite_teammate", "message_sent", "export_report"),
}
# Every (channel, event_type) a weights seed may mention.
WEIGHT_KEYS: tuple[tuple[str, str], ...] = (
    *((c, t.strip().lower()) for c, types in EVENT_TYPES.items() for t in types),
    ("offline", "registration"), ("offline", "attendance"),
    *(("survey", name) for buckets in SURVEY_BUCKETS.values() for *_, name in buckets),
)
# A column no rule reads, changed to make same-id copies that differ but tie on the timestamp.
FREE_COLUMN = {"web_events": "page_url", "app_events": "device_id",
               "social_interactions": "network", "offline_registrations": "event_name"}

seconds_of_day = st.sampled_from([0, 1, 43200, 86399]) | st.integers(0, 86399)
# Mostly inside the window (and its edges), some before it or after the score date.
day_offsets = st.integers(-WINDOW_DAYS, 0) | st.integers(-WINDOW_DAYS, 0) | st.integers(-40, 3)
moments = st.builds(
    lambda days, secs: datetime.combine(SCORE_DATE, time()) + timedelta(days=days, seconds=secs),
    day_offsets, seconds_of_day)
timestamps = st.integers(0, 19).flatmap(
    lambda k: st.none() if k == 0 else st.just(FAR_FUTURE) if k == 1 else moments)
customer_refs = st.sampled_from(CUSTOMER_POOL) | st.sampled_from(CUSTOMER_REFS)
weights_values = (st.decimals(-30, 60, places=2)
                  | st.sampled_from([Decimal("0.005"), Decimal("-0.005"), Decimal("0.125"),
                                     Decimal("1.015"), Decimal("0")]))


def _row_fields(source: EventSource) -> dict[str, st.SearchStrategy[Any]]:
    """Strategies for every column of one raw row except the id."""
    fields: dict[str, st.SearchStrategy[Any]] = {
        c: st.sampled_from(["x", "y"]) for c in source.columns}
    fields["customer_id"] = customer_refs
    fields[source.timestamp_column] = timestamps
    if source.type_column is not None:
        fields[source.type_column] = st.sampled_from(EVENT_TYPES[source.channel])
    if source.table == "web_events":
        fields["session_id"] = st.none() | st.just("s1")
    if source.table == "offline_registrations":
        fields["event_date"] = st.none() | st.builds(
            lambda d: SCORE_DATE + timedelta(days=d), st.integers(-40, 3))
        fields["attended"] = st.sampled_from([True, False, None])
    if source.table == "survey_responses":
        fields["survey_type"] = st.sampled_from(["nps", "csat", " NPS ", "Csat", "ces", None])
        fields["score"] = st.none() | st.integers(-1, 11)
    return fields


@st.composite
def source_rows(draw: st.DrawFn, source: EventSource) -> list[Row]:
    fields = _row_fields(source)
    rows: list[Row] = []
    for i in range(draw(st.integers(0, 12))):
        row = {c: draw(s) for c, s in fields.items()}
        # Blank ids are no ids; an id that only starts with a space is an id, kept as sent.
        row[source.id_column] = draw(st.sampled_from(
            [f"{source.channel}{i}"] * 9 + [None, "", "  ", f" {source.channel}{i}"]))
        rows.append(row)
    with_id = [r for r in rows if r[source.id_column] is not None]
    for _ in range(draw(st.integers(0, 3)) if with_id else 0):
        copy = dict(draw(st.sampled_from(with_id)))
        mode = draw(st.sampled_from(["exact", "retime", "free"]))
        siblings = {r[source.timestamp_column] for r in rows
                    if r[source.id_column] == copy[source.id_column]}
        if mode == "retime":
            new_ts = draw(timestamps)
            if new_ts not in siblings:
                copy.update(draw(st.fixed_dictionaries(fields)))
                copy[source.timestamp_column] = new_ts
        elif mode == "free" and source.table in FREE_COLUMN and len(siblings) == 1:
            copy[FREE_COLUMN[source.table]] = "z"
        rows.append(copy)
    return draw(st.permutations(rows))


@st.composite
def customers(draw: st.DrawFn) -> list[Row]:
    ids = draw(st.lists(st.sampled_from(CUSTOMER_POOL), min_size=2, max_size=4, unique=True))
    rows = [{"customer_id": draw(st.sampled_from([cid, f" {cid} "])), "account_id": f"a_{cid}",
             "signed_up_at": datetime(2023, 1, 1) + timedelta(days=n), "plan": "paid",
             "country": "NL", "persona": "dev"} for n, cid in enumerate(ids)]
    if draw(st.booleans()):  # a later signup of the first customer: not kept
        rows.append(dict(rows[0], signed_up_at=datetime(2023, 6, 1), plan="free"))
    return rows


@st.composite
def raw_tables(draw: st.DrawFn) -> dict[str, list[Row]]:
    tables = {"customers": draw(customers())}
    for source in EVENT_SOURCES:
        tables[source.table] = draw(source_rows(source))
    return tables


@st.composite
def weight_seeds(draw: st.DrawFn) -> list[Weight]:
    keys = draw(st.lists(st.sampled_from(WEIGHT_KEYS), min_size=len(WEIGHT_KEYS) // 2,
                         unique=True))
    return [Weight(c, t, draw(weights_values), draw(st.none() | st.integers(1, 3)))
            for c, t in keys]
