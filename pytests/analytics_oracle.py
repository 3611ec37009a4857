"""Independent pure-Python computation of the engagement analytics of issue 4.

Written from issue 4 and docs/analytics_decisions.md, never from the SQL. It reuses the scoring
oracle (`oracle.py`) for what issue 3 already fixes (deduplication, rejection, canonical events,
rounding) and adds: web sessions, the derived scoring events, scores with derived points, the
per-customer web metrics, daily/weekly/monthly actives and the score's terms.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from contract import SOURCE_BY_TABLE
from oracle import (Event, Params, Row, Weight, clean_id, clean_type, customers_of, decayed, deduplicate,
                    rejection_reason, round2, stage, weight_index)

MICRO = Decimal("0.000001")
DERIVED_TYPES = ("session", "bounce", "minutes_on_site", "returning_visit")


def micro(value: Decimal) -> Decimal:
    """Session minutes are kept to 6 decimals (rounded half away from zero)."""
    return value.quantize(MICRO, rounding=ROUND_HALF_UP)


# ---------------------------------------------------------------- web sessions


@dataclass(frozen=True)
class WebHit:
    """One accepted web event with what sessionization needs."""

    customer_id: str
    event_type: str | None
    occurred_at: datetime
    session_id: str | None


@dataclass(frozen=True)
class Session:
    customer_id: str
    session_id: str | None
    start: datetime
    end: datetime
    web_events: int
    page_views: int
    clicks: int

    @property
    def day(self) -> date:
        return self.start.date()

    @property
    def seconds(self) -> int:
        return int((self.end - self.start).total_seconds())

    @property
    def minutes(self) -> Decimal:
        """Exact to the microsecond the timestamps hold."""
        elapsed = self.end - self.start
        microseconds = (elapsed.days * 86_400 + elapsed.seconds) * 1_000_000 + elapsed.microseconds
        return micro(Decimal(microseconds) / 60_000_000)

    @property
    def is_bounce(self) -> bool:
        return self.page_views == 1 and self.web_events == 1


def accepted_web_hits(raw: Mapping[str, Sequence[Row] | None], params: Params) -> list[WebHit]:
    """Accepted web rows (after removing copies) up to the end of the score date, with their
    cleaned tracker session id: events after score_date do not count, also not in a session."""
    rows = raw.get("web_events")
    if rows is None:
        return []
    source = SOURCE_BY_TABLE["web_events"]
    customer_ids = set(customers_of(raw.get("customers") or []))
    full = [{c: r.get(c) for c in source.columns} for r in rows]
    kept, _ = deduplicate(full, source.id_column, tuple(source.columns), source.timestamp_column)
    hits = []
    for row in kept:
        if (rejection_reason(source, row, customer_ids, params) is None
                and row["occurred_at"].date() <= params.score_date):
            cid = clean_id(row["customer_id"])
            assert cid is not None
            hits.append(WebHit(cid, clean_type(row["event_type"]), row["occurred_at"],
                               clean_id(row["session_id"])))
    return hits


def sessionize(hits: Iterable[WebHit], timeout_minutes: float) -> list[Session]:
    """Tracker ids as sent; the rest split where a gap exceeds the timeout (never joined to a
    tracker session)."""
    groups: dict[tuple[str, str | None, int], list[WebHit]] = defaultdict(list)
    untracked: dict[str, list[WebHit]] = defaultdict(list)
    for hit in hits:
        if hit.session_id is not None:
            groups[(hit.customer_id, hit.session_id, 0)].append(hit)
        else:
            untracked[hit.customer_id].append(hit)
    limit = timedelta(minutes=timeout_minutes)
    for cid, customer_hits in untracked.items():
        number = 0
        previous: datetime | None = None
        for hit in sorted(customer_hits, key=lambda h: h.occurred_at):
            if previous is None or hit.occurred_at - previous > limit:
                number += 1
            groups[(cid, None, number)].append(hit)
            previous = hit.occurred_at
    sessions = []
    for (cid, session_id, _), members in groups.items():
        times = [h.occurred_at for h in members]
        sessions.append(Session(
            cid, session_id, min(times), max(times), len(members),
            sum(1 for h in members if h.event_type == "page_view"),
            sum(1 for h in members if h.event_type == "click")))
    return sessions


# ---------------------------------------------------------------- derived scoring events


@dataclass(frozen=True)
class Derived:
    customer_id: str
    event_type: str
    day: date
    quantity: Decimal


def derived_events(sessions: Sequence[Session], window_start: date,
                   minutes_cap: Decimal) -> list[Derived]:
    """A returning visit is a session on a day after an earlier visit day within the window
    (window_start on)."""
    visit_days: dict[str, set[date]] = defaultdict(set)
    for s in sessions:
        visit_days[s.customer_id].add(s.day)
    out = []
    for s in sessions:
        out.append(Derived(s.customer_id, "session", s.day, Decimal(1)))
        if s.is_bounce:
            out.append(Derived(s.customer_id, "bounce", s.day, Decimal(1)))
        if s.minutes > 0:
            out.append(Derived(s.customer_id, "minutes_on_site", s.day, min(s.minutes, minutes_cap)))
        if any(window_start <= d < s.day for d in visit_days[s.customer_id]):
            out.append(Derived(s.customer_id, "returning_visit", s.day, Decimal(1)))
    return out


# ---------------------------------------------------------------- score terms


@dataclass
class Term:
    """What one (customer, channel, event type) earned in the window."""

    raw_count: int = 0
    counted_units: Decimal = Decimal(0)
    points: Decimal = Decimal(0)


def score_terms(events: Iterable[Event], derived: Iterable[Derived], weights: Sequence[Weight],
                params: Params, half_life: float | None = None) -> dict[str, dict[tuple[str, str], Term]]:
    """Per customer and (channel, event type) in the window: weight × units capped per day, each
    day's points decayed to the score date when a half-life is given."""
    index = weight_index(weights)
    daily: dict[tuple[str, str, str, date], list[Decimal]] = defaultdict(list)
    for e in events:
        if params.in_window(e.occurred_at):
            daily[(e.customer_id, e.channel, e.event_type or "", e.occurred_at.date())].append(
                Decimal(1))
    for d in derived:
        if params.window_start <= d.day <= params.score_date:
            daily[(d.customer_id, "web", d.event_type, d.day)].append(d.quantity)
    terms: dict[str, dict[tuple[str, str], Term]] = defaultdict(lambda: defaultdict(Term))
    for (cid, channel, event_type, day), quantities in daily.items():
        weight = index.get((channel, event_type))
        units = sum(quantities, Decimal(0))
        if weight is not None and weight.daily_cap is not None:
            units = min(units, Decimal(weight.daily_cap))
        term = terms[cid][(channel, event_type)]
        term.raw_count += len(quantities)
        term.counted_units += units
        if weight is not None:
            term.points += decayed(weight.weight * units, (params.score_date - day).days, half_life)
    return terms


# ---------------------------------------------------------------- marts


@dataclass
class Analytics:
    sessions: list[Session]
    terms: dict[str, dict[tuple[str, str], Term]]
    scores: dict[str, Decimal]
    event_counts: dict[str, int]
    metrics: dict[str, Row]
    daily_activity: list[Row]


def ratio(numerator: Decimal | int, denominator: Decimal | int) -> Decimal | None:
    return None if denominator == 0 else Decimal(numerator) / Decimal(denominator)


def web_metrics(customers: Iterable[str], sessions: Sequence[Session], events: Sequence[Event],
                params: Params) -> dict[str, Row]:
    in_window = [s for s in sessions if params.window_start <= s.day <= params.score_date]
    out = {}
    for cid in customers:
        mine = [s for s in in_window if s.customer_id == cid]
        views = sum(1 for e in events if e.customer_id == cid and e.channel == "web"
                    and e.event_type == "page_view" and params.in_window(e.occurred_at))
        days = sorted({s.day for s in mine})
        out[cid] = {
            "page_views": views,
            "sessions": len(mine),
            "pages_per_session": ratio(sum(s.page_views for s in mine), len(mine)),
            "avg_session_minutes": ratio(sum((s.minutes for s in mine), Decimal(0)), len(mine)),
            "minutes_on_site": sum((s.minutes for s in mine), Decimal(0)),
            "bounce_rate": ratio(sum(1 for s in mine if s.is_bounce), len(mine)),
            "visit_days": len(days),
            "avg_days_between_visits": (ratio((days[-1] - days[0]).days, len(days) - 1)
                                        if days else None),
        }
    return out


def daily_activity(customers: Sequence[str], events: Sequence[Event], params: Params) -> list[Row]:
    """DAU, WAU (7 days), MAU (30 days) and stickiness for every day of the window."""
    active: dict[date, set[str]] = defaultdict(set)
    first: dict[str, date] = {}
    for e in events:
        day = e.occurred_at.date()
        if day <= params.score_date:
            active[day].add(e.customer_id)
            first[e.customer_id] = min(day, first.get(e.customer_id, day))

    def span(day: date, days: int) -> set[str]:
        return set().union(*(active[day - timedelta(days=n)] for n in range(days)))

    rows = []
    for n in range(params.window_days):
        day = params.window_start + timedelta(days=n)
        dau, mau = len(active[day]), len(span(day, 30))
        new = sum(1 for cid in active[day] if first[cid] == day)
        rows.append({"activity_date": day, "dau": dau, "wau": len(span(day, 7)), "mau": mau,
                     "stickiness": ratio(dau, mau), "new_active_customers": new,
                     "returning_active_customers": dau - new,
                     "engagement_rate": ratio(dau, len(customers))})
    return rows


def expected_analytics(raw: Mapping[str, Sequence[Row] | None], weights: Sequence[Weight],
                       score_date: date, window_days: int, run_started_at: datetime,
                       timeout_minutes: float = 30, minutes_cap: Decimal = Decimal(60),
                       half_life: float | None = None) -> Analytics:
    params = Params(score_date, window_days, run_started_at)
    customers = sorted(customers_of(raw.get("customers") or []))
    events = stage(raw, set(customers), params).events
    sessions = sessionize(accepted_web_hits(raw, params), timeout_minutes)
    terms = score_terms(events, derived_events(sessions, params.window_start, minutes_cap), weights,
                        params, half_life)
    scores = {cid: round2(sum((t.points for t in terms.get(cid, {}).values()), Decimal(0)))
              for cid in customers}
    event_counts = {cid: sum(1 for e in events if e.customer_id == cid
                             and params.in_window(e.occurred_at)) for cid in customers}
    return Analytics(sessions, terms, scores, event_counts,
                     web_metrics(customers, sessions, events, params),
                     daily_activity(customers, events, params))


def derived_weights(session: str = "0", bounce: str = "0", minutes: str = "0",
                    returning: str = "0", caps: tuple[int | None, ...] = (None,) * 4
                    ) -> list[Weight]:
    """Weight rows for the four derived event types."""
    values = (session, bounce, minutes, returning)
    return [Weight("web", t, Decimal(v), cap) for t, v, cap in zip(DERIVED_TYPES, values, caps)]
