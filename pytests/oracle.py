"""Independent pure-Python computation of the customer engagement marts.

Written from issue 3 (the contract) and docs/decisions.md only, never from the SQL. Input: raw
tables as lists of dicts (a disabled table is absent or None), the weights and tiers seed rows, the
score date, the window length and the run start (UTC, naive). Output: the expected rows of every
mart, as dicts with Python values (Decimal for scores, date, naive datetime, int).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from contract import CUSTOMERS, EVENT_SOURCES, EventSource

Row = dict[str, Any]
CENT = Decimal("0.01")

SURVEY_BUCKETS: dict[str, tuple[tuple[int, int, str], ...]] = {
    "nps": ((9, 10, "nps_promoter"), (7, 8, "nps_passive"), (0, 6, "nps_detractor")),
    "csat": ((4, 5, "csat_satisfied"), (3, 3, "csat_neutral"), (1, 2, "csat_unsatisfied")),
}


@dataclass(frozen=True)
class Weight:
    channel: str
    event_type: str
    weight: Decimal
    daily_cap: int | None = None


@dataclass(frozen=True)
class Tier:
    tier_rank: int
    engagement_tier: str
    tier_label: str
    min_score: Decimal | None
    min_inclusive: bool | None
    max_score: Decimal | None
    max_inclusive: bool | None

    def contains(self, score: Decimal) -> bool:
        if self.min_score is not None:
            if score < self.min_score or (score == self.min_score and not self.min_inclusive):
                return False
        if self.max_score is not None:
            if score > self.max_score or (score == self.max_score and not self.max_inclusive):
                return False
        return True


# The tier table of the issue.
CONTRACT_TIERS: tuple[Tier, ...] = (
    Tier(1, "churn_risk", "Churn risk", None, None, Decimal(0), False),
    Tier(2, "disengaged", "Disengaged", Decimal(0), True, Decimal(40), True),
    Tier(3, "somewhat_engaged", "Somewhat engaged", Decimal(40), False, Decimal(70), True),
    Tier(4, "highly_engaged", "Highly engaged", Decimal(70), False, Decimal(100), True),
    Tier(5, "power_user", "Power user", Decimal(100), False, None, None),
)


@dataclass(frozen=True)
class Event:
    """One canonical, accepted event."""

    customer_id: str
    channel: str
    event_type: str
    occurred_at: datetime


def window_start(score_date: date, window_days: int) -> date:
    return score_date - timedelta(days=window_days - 1)


def in_window(day: date, score_date: date, window_days: int) -> bool:
    return window_start(score_date, window_days) <= day <= score_date


# engagement_min_event_date's default: earlier timestamps are loaders' zero times, not events.
MIN_EVENT_DATE = date(1970, 1, 1)


@dataclass(frozen=True)
class Params:
    score_date: date
    window_days: int
    run_started_at: datetime
    min_event_date: date = MIN_EVENT_DATE

    @property
    def window_start(self) -> date:
        return window_start(self.score_date, self.window_days)

    def in_window(self, ts: datetime) -> bool:
        return in_window(ts.date(), self.score_date, self.window_days)


# ---------------------------------------------------------------- normalisation helpers


def round2(value: Decimal) -> Decimal:
    """Round half away from zero to 2 decimals (-0.00 is 0.00)."""
    rounded = value.quantize(CENT, rounding=ROUND_HALF_UP)
    return rounded if rounded != 0 else abs(rounded)


def clean_id(value: str | None) -> str | None:
    """Trimmed customer id; empty or blank is missing."""
    if value is None:
        return None
    value = value.strip(" ")
    return value or None


def clean_row_id(value: str | None) -> str | None:
    """A raw row's id: blank (empty or spaces) is no id; any other id as sent."""
    return None if value is None or not value.strip(" ") else value


def clean_type(value: str | None) -> str | None:
    """Lower-cased, trimmed type; blank is missing."""
    if value is None:
        return None
    value = value.strip(" ").lower()
    return value or None


# ---------------------------------------------------------------- raw values (typed or text)

ISO_TIMESTAMP = re.compile(
    r"(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)(?:Z|[+-]\d{2}(?::?\d{2})?)?)?")


class Unreadable:
    """A present value that cannot be read as its kind (the raw column arrived as text)."""

    def __init__(self, text: str) -> None:
        self.text = text


def _text(value: Any) -> str | None:
    """Raw text trimmed, blank as missing."""
    return None if value is None else (str(value).strip() or None)


def read_timestamp(value: Any) -> datetime | None | Unreadable:
    """A raw timestamp: typed as is; text as an ISO 8601 date or date-time (a zone is ignored, as
    a timestamp without time zone ignores it)."""
    if value is None or isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time())
    text = _text(value)
    if text is None:
        return None
    match = ISO_TIMESTAMP.fullmatch(text)
    try:
        if match is None:
            raise ValueError(text)
        return datetime.fromisoformat(match.group(1) + (" " + match.group(2) if match.group(2) else ""))
    except ValueError:
        return Unreadable(text)


def read_date(value: Any) -> date | None | Unreadable:
    ts = read_timestamp(value)
    return ts.date() if isinstance(ts, datetime) else ts


def read_int(value: Any) -> int | None | Unreadable:
    """A whole number: typed as is; text of digits with an optional sign (no decimals)."""
    if value is None or isinstance(value, int):
        return value
    text = _text(value)
    if text is None:
        return None
    return int(text) if re.fullmatch(r"[+-]?\d{1,9}", text) else Unreadable(text)


TRUE_TEXT = ("true", "t", "yes", "y", "1")
FALSE_TEXT = ("false", "f", "no", "n", "0")


def read_bool(value: Any) -> bool | None | Unreadable:
    if value is None or isinstance(value, bool):
        return value
    text = _text(value)
    if text is None:
        return None
    if text.lower() in TRUE_TEXT + FALSE_TEXT:
        return text.lower() in TRUE_TEXT
    return Unreadable(text)


def typed(value: Any) -> Any:
    """A read value for comparisons: unreadable as missing."""
    return None if isinstance(value, Unreadable) else value


class Mentions:
    """Expected rejection_detail: a text that names every fragment (the column, the value); the
    wording is the package's."""

    def __init__(self, *fragments: str) -> None:
        self.fragments = fragments

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and all(f in other for f in self.fragments)

    def __hash__(self) -> int:
        return hash(self.fragments)

    def __repr__(self) -> str:
        return f"Mentions{self.fragments!r}"


def _nulls_last(value: Any) -> tuple[bool, Any]:
    return (value is None, value)


def _keep_order(row: Row, columns: Sequence[str], timestamp_column: str) -> tuple[Any, ...]:
    """Which copy to keep: earliest timestamp (nulls and unreadable text last), then the other
    columns ascending."""
    rest = [c for c in columns if c != timestamp_column]
    return (_nulls_last(typed(read_timestamp(row[timestamp_column]))), *(_nulls_last(row[c]) for c in rest))


def deduplicate(rows: Iterable[Row], id_column: str, columns: Sequence[str],
                timestamp_column: str) -> tuple[list[Row], int]:
    """Keep one row per id (a null or blank id is no id: such a row is its own row unless wholly
    equal to another one). Kept rows carry the cleaned id.

    Returns the kept rows and how many rows were duplicates.
    """
    groups: dict[tuple[Any, ...], list[Row]] = defaultdict(list)
    total = 0
    for raw_row in rows:
        total += 1
        row = {**raw_row, id_column: clean_row_id(raw_row[id_column])}
        ident = row[id_column]
        key = ("id", ident) if ident is not None else ("row", *(row[c] for c in columns))
        groups[key].append(row)
    kept = [min(g, key=lambda r: _keep_order(r, columns, timestamp_column))
            for g in groups.values()]
    return kept, total - len(kept)


def _full(row: Mapping[str, Any], columns: Iterable[str]) -> Row:
    return {c: row.get(c) for c in columns}


# ---------------------------------------------------------------- customers and staging


@dataclass
class StagedCustomers:
    accepted: dict[str, Row]
    rejected: list[Row]
    reconciliation: Row


def stage_customers(rows: Iterable[Row]) -> StagedCustomers:
    """Customer rows: copies share a trimmed id (a row without one is a copy only of an equal
    row), the earliest signed_up_at is kept; a kept row without an id is rejected as
    missing_customer_id, one whose signed_up_at cannot be read as invalid_value."""
    full = [{**_full(r, CUSTOMERS), "customer_id": clean_id(r.get("customer_id"))} for r in rows]
    kept, duplicates = deduplicate(full, "customer_id", tuple(CUSTOMERS), "signed_up_at")
    accepted: dict[str, Row] = {}
    rejected: list[Row] = []
    for row in kept:
        signed_up_at = read_timestamp(row["signed_up_at"])
        if row["customer_id"] is None:
            reason, detail = "missing_customer_id", Mentions("customer_id")
        elif isinstance(signed_up_at, Unreadable):
            reason, detail = "invalid_value", Mentions("signed_up_at", signed_up_at.text[:60])
        else:
            accepted[row["customer_id"]] = {**row, "signed_up_at": signed_up_at}
            continue
        rejected.append({"source_table": "customers", "source_id": row["customer_id"],
                         "customer_id": row["customer_id"], "reason": reason,
                         "occurred_at": typed(signed_up_at), "rejection_detail": detail})
    return StagedCustomers(accepted, rejected, {
        "source_table": "customers", "raw_rows": len(full), "accepted_rows": len(accepted),
        "duplicate_rows": duplicates, "rejected_rows": len(rejected),
        "unaccounted_rows": len(full) - len(accepted) - duplicates - len(rejected)})


def customers_of(rows: Iterable[Row]) -> dict[str, Row]:
    """The accepted customers, keyed by trimmed id."""
    return stage_customers(rows).accepted


def survey_event_type(survey_type: str | None, score: int | None) -> str | None:
    """nps/csat bucket of a response, or None when the value is invalid."""
    buckets = SURVEY_BUCKETS.get(clean_type(survey_type) or "")
    if buckets is None or score is None:
        return None
    for low, high, name in buckets:
        if low <= score <= high:
            return name
    return None


def value_problem(source: EventSource, row: Row, params: Params) -> Mentions | None:
    """What makes an otherwise acceptable row invalid_value (the first problem), or None:
    unreadable values, a timestamp before engagement_min_event_date, a missing event type, a
    survey answer out of its scale."""
    ts_column = source.timestamp_column
    kinds: dict[str, Any] = {ts_column: read_timestamp}
    if source.table == "offline_registrations":
        kinds.update(event_date=read_date, attended=read_bool)
    if source.table == "survey_responses":
        kinds.update(score=read_int)
    for column, read in kinds.items():
        value = read(row[column])
        if isinstance(value, Unreadable):
            return Mentions(column, value.text[:60])
    ts = typed(read_timestamp(row[ts_column]))
    if ts is not None and ts.date() < params.min_event_date:
        return Mentions(ts_column, "engagement_min_event_date")
    type_column = source.type_column
    if type_column is not None and clean_type(row[type_column]) is None:
        return Mentions(type_column, "missing")
    if source.table == "survey_responses":
        survey_type = clean_type(row["survey_type"])
        score = typed(read_int(row["score"]))
        if survey_type not in SURVEY_BUCKETS:
            return Mentions("survey_type")
        if score is None:
            return Mentions("score", "missing")
        if survey_event_type(survey_type, score) is None:
            return Mentions("score", str(score))
    return None


def rejection(source: EventSource, row: Row, customer_ids: set[str],
              params: Params) -> tuple[str, Mentions] | None:
    """First matching reason in contract order with what the detail names, or None when the row
    is accepted. A timestamp that cannot be read is not missing: it is an invalid value."""
    cid = clean_id(row["customer_id"])
    raw_ts = read_timestamp(row[source.timestamp_column])
    ts = typed(raw_ts)
    if cid is None:
        return ("anonymous" if source.table == "web_events" else "missing_customer_id"), Mentions("customer_id")
    if raw_ts is None:
        return "missing_timestamp", Mentions("timestamp")
    if ts is not None and ts > params.run_started_at + timedelta(days=1):
        return "future_timestamp", Mentions(str(ts)[:10])
    if cid not in customer_ids:
        return "unknown_customer", Mentions(cid)
    problem = value_problem(source, row, params)
    return None if problem is None else ("invalid_value", problem)


def rejection_reason(source: EventSource, row: Row, customer_ids: set[str],
                     params: Params) -> str | None:
    found = rejection(source, row, customer_ids, params)
    return None if found is None else found[0]


def events_of(source: EventSource, row: Row, params: Params) -> list[Event]:
    """Canonical events of one accepted raw row. Attendance needs an event day that can have
    happened: from engagement_min_event_date to the day the run started."""
    cid = clean_id(row["customer_id"])
    assert cid is not None
    ts = typed(read_timestamp(row[source.timestamp_column]))
    assert ts is not None
    if source.table == "offline_registrations":
        events = [Event(cid, "offline", "registration", ts)]
        event_date = typed(read_date(row["event_date"]))
        if (typed(read_bool(row["attended"])) is True and event_date is not None
                and params.min_event_date <= event_date <= params.run_started_at.date()):
            events.append(Event(cid, "offline", "attendance", datetime.combine(event_date, time())))
        return events
    if source.table == "survey_responses":
        return [Event(cid, "survey", survey_event_type(row["survey_type"], typed(read_int(row["score"]))), ts)]
    assert source.type_column is not None
    return [Event(cid, source.channel, clean_type(row[source.type_column]), ts)]


@dataclass
class Staged:
    events: list[Event]
    rejected: list[Row]
    reconciliation: list[Row]


def stage(raw: Mapping[str, Sequence[Row] | None], customer_ids: set[str],
          params: Params) -> Staged:
    staged = Staged([], [], [])
    for source in EVENT_SOURCES:
        rows = raw.get(source.table)
        if rows is None:
            continue
        full_rows = [_full(r, source.columns) for r in rows]
        kept, duplicates = deduplicate(full_rows, source.id_column, tuple(source.columns),
                                       source.timestamp_column)
        accepted = rejected = 0
        for row in kept:
            found = rejection(source, row, customer_ids, params)
            if found is None:
                accepted += 1
                staged.events.extend(events_of(source, row, params))
            else:
                rejected += 1
                staged.rejected.append({
                    "source_table": source.table,
                    "source_id": row[source.id_column],
                    "customer_id": clean_id(row["customer_id"]),
                    "reason": found[0],
                    "occurred_at": typed(read_timestamp(row[source.timestamp_column])),
                    "rejection_detail": found[1],
                })
        staged.reconciliation.append({
            "source_table": source.table,
            "raw_rows": len(full_rows),
            "accepted_rows": accepted,
            "duplicate_rows": duplicates,
            "rejected_rows": rejected,
            "unaccounted_rows": len(full_rows) - accepted - duplicates - rejected,
        })
    return staged


# ---------------------------------------------------------------- scoring

PICO = Decimal("1e-12")  # points keep 12 decimals (engagement_type_points)


def decayed(points: Decimal, age_days: int, half_life: float | None) -> Decimal:
    """A day's points on a score date age_days later: 0.5 ^ (age / half_life), kept to 12
    decimals (issue 5's optional time decay)."""
    if half_life is None:
        return points
    factor = 0.5 ** (age_days / half_life)
    return Decimal(float(points) * factor).quantize(PICO, ROUND_HALF_UP)



def weight_index(weights: Iterable[Weight]) -> dict[tuple[str, str], Weight]:
    return {(clean_type(w.channel) or "", clean_type(w.event_type) or ""): w for w in weights}


TypeDay = tuple[str, str, str, date]  # customer, channel, event type, UTC day


def type_day_points(events: Iterable[Event], weights: Mapping[tuple[str, str], Weight]) -> dict[TypeDay, Decimal]:
    """Points per customer, event type and UTC day: weight x units capped per day."""
    units: Counter[TypeDay] = Counter(
        (e.customer_id, e.channel, e.event_type or "", e.occurred_at.date()) for e in events)
    points: dict[TypeDay, Decimal] = {}
    for (cid, channel, event_type, day), count in units.items():
        weight = weights.get((channel, event_type))
        if weight is not None:
            capped = min(count, weight.daily_cap) if weight.daily_cap is not None else count
            points[(cid, channel, event_type, day)] = weight.weight * capped
    return points


def points_by_customer(events: Iterable[Event], weights: Mapping[tuple[str, str], Weight],
                       params: Params) -> dict[str, dict[str, Decimal]]:
    """Unrounded points per customer and channel: weight x units capped per UTC day."""
    points: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    in_window_events = (e for e in events if params.in_window(e.occurred_at))
    for (cid, channel, _, _), day_points in type_day_points(in_window_events, weights).items():
        points[cid][channel] += day_points
    return points


def tier_of(score: Decimal, tiers: Sequence[Tier]) -> Tier:
    matches = [t for t in tiers if t.contains(score)]
    assert len(matches) == 1, f"tiers seed covers {score} {len(matches)} times"
    return matches[0]


def score_rows(customers: Mapping[str, Row], events: Sequence[Event],
               weights: Mapping[tuple[str, str], Weight], params: Params) -> list[Row]:
    points = points_by_customer(events, weights, params)
    in_window: dict[str, list[Event]] = defaultdict(list)
    last_event: dict[str, datetime] = {}
    for e in events:
        if params.in_window(e.occurred_at):
            in_window[e.customer_id].append(e)
        if e.occurred_at.date() <= params.score_date:
            last_event[e.customer_id] = max(e.occurred_at, last_event.get(e.customer_id,
                                                                          e.occurred_at))
    rows = []
    for cid, customer in customers.items():
        channel_points = points.get(cid, {})
        row: Row = {
            "customer_id": cid,
            "account_id": customer["account_id"],
            "plan": customer["plan"],
            "country": customer["country"],
            "persona": customer["persona"],
            "score_date": params.score_date,
            "engagement_score": round2(sum(channel_points.values(), Decimal(0))),
        }
        for channel in (s.channel for s in EVENT_SOURCES):
            row[f"{channel}_score"] = round2(channel_points.get(channel, Decimal(0)))
        row["event_count"] = len(in_window[cid])
        row["active_days"] = len({e.occurred_at.date() for e in in_window[cid]})
        row["last_event_at"] = last_event.get(cid)
        rows.append(row)
    return rows


def tier_rows(scores: Sequence[Row], tiers: Sequence[Tier]) -> list[Row]:
    rows = []
    for s in scores:
        tier = tier_of(s["engagement_score"], tiers)
        rows.append({
            "customer_id": s["customer_id"],
            "score_date": s["score_date"],
            "engagement_score": s["engagement_score"],
            "engagement_tier": tier.engagement_tier,
            "tier_rank": tier.tier_rank,
            "tier_label": tier.tier_label,
        })
    return rows


def tier_summary_rows(tiered: Sequence[Row], tiers: Sequence[Tier],
                      params: Params) -> list[Row]:
    """Every tier of the seed; share is a fraction of all customers, average unrounded."""
    total = len(tiered)
    rows = []
    for tier in sorted(tiers, key=lambda t: t.tier_rank):
        members = [r["engagement_score"] for r in tiered
                   if r["engagement_tier"] == tier.engagement_tier]
        rows.append({
            "score_date": params.score_date,
            "engagement_tier": tier.engagement_tier,
            "tier_rank": tier.tier_rank,
            "customers": len(members),
            "share_of_customers": Decimal(len(members)) / total if total else None,
            "avg_engagement_score": sum(members, Decimal(0)) / len(members) if members else None,
        })
    return rows


def unweighted_rows(events: Iterable[Event],
                    weights: Mapping[tuple[str, str], Weight]) -> list[Row]:
    """Accepted events of all time whose (channel, event_type) has no weight row."""
    counts: Counter[tuple[str, str | None]] = Counter()
    who: dict[tuple[str, str | None], set[str]] = defaultdict(set)
    for e in events:
        key = (e.channel, e.event_type)
        if (e.channel, e.event_type or "") in weights:
            continue
        counts[key] += 1
        who[key].add(e.customer_id)
    return [{"channel": c, "event_type": t, "events": n, "customers": len(who[(c, t)])}
            for (c, t), n in counts.items()]


# ---------------------------------------------------------------- entry point


def expected_marts(raw: Mapping[str, Sequence[Row] | None], weights: Sequence[Weight],
                   tiers: Sequence[Tier], score_date: date, window_days: int,
                   run_started_at: datetime, min_event_date: date = MIN_EVENT_DATE) -> dict[str, list[Row]]:
    """Expected rows of every mart of the BI contract."""
    params = Params(score_date, window_days, run_started_at, min_event_date)
    staged_customers = stage_customers(raw.get("customers") or [])
    customers = staged_customers.accepted
    staged = stage(raw, set(customers), params)
    index = weight_index(weights)
    scores = score_rows(customers, staged.events, index, params)
    tiered = tier_rows(scores, tiers)
    return {
        "customer_engagement_scores": scores,
        "customer_engagement_tiers": tiered,
        "engagement_tier_summary": tier_summary_rows(tiered, tiers, params),
        "engagement_rejected_events": [*staged_customers.rejected, *staged.rejected],
        "engagement_source_reconciliation": [staged_customers.reconciliation, *staged.reconciliation],
        "engagement_unweighted_event_types": unweighted_rows(staged.events, index),
    }
