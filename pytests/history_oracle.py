"""Independent pure-Python computation of the history marts (issue 5).

Written from the issue and docs/decisions.md, never from the SQL, on top of oracle.py: a history
row of a score date is what the oracle scores for that date, so the history is the oracle run once
per date. Adds the optional time decay, the score changes, the alerts and the tier transitions.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from contract import EVENT_SOURCES
from oracle import (Event, Params, Row, Tier, TypeDay, Weight, customers_of, decayed, in_window, round2, score_rows,
                    stage, tier_of, type_day_points, weight_index)

CHANGE_DAYS = (1, 7, 30)


def raw_type_day_points(raw: Mapping[str, Sequence[Row] | None], weights: Sequence[Weight], last_date: date,
                        window_days: int, run_started_at: datetime) -> dict[TypeDay, Decimal]:
    """type_day_points of the raw tables' accepted events."""
    return type_day_points(accepted_events(raw, last_date, window_days, run_started_at), weight_index(weights))


def decayed_score_rows(customers: Mapping[str, Row], events: Sequence[Event],
                       weights: Mapping[tuple[str, str], Weight], params: Params,
                       half_life: float) -> list[Row]:
    """score_rows with time decay: the points of each (customer, channel, event type, day),
    capped, are decayed to the score date, then summed."""
    rows = score_rows(customers, events, weights, params)
    points: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    in_window_events = (e for e in events if params.in_window(e.occurred_at))
    for (cid, channel, _, day), day_points in type_day_points(in_window_events, weights).items():
        points[cid][channel] += decayed(day_points, (params.score_date - day).days, half_life)
    for row in rows:
        channel_points = points.get(row["customer_id"], {})
        row["engagement_score"] = round2(sum(channel_points.values(), Decimal(0)))
        for channel in (s.channel for s in EVENT_SOURCES):
            row[f"{channel}_score"] = round2(channel_points.get(channel, Decimal(0)))
    return rows


def accepted_events(raw: Mapping[str, Sequence[Row] | None], last_date: date, window_days: int,
                    run_started_at: datetime) -> list[Event]:
    customers = customers_of(raw.get("customers") or [])
    return stage(raw, set(customers), Params(last_date, window_days, run_started_at)).events


def daily_history(raw: Mapping[str, Sequence[Row] | None], weights: Sequence[Weight],
                  tiers: Sequence[Tier], last_date: date, window_days: int,
                  run_started_at: datetime, history_start: date | None = None,
                  half_life: float | None = None) -> list[Row]:
    """Expected rows of customer_engagement_daily: per customer, every date from the first
    accepted event (or history_start, when later) to last_date, scored as on that date."""
    customers = customers_of(raw.get("customers") or [])
    events = accepted_events(raw, last_date, window_days, run_started_at)
    index = weight_index(weights)
    first_day: dict[str, date] = {}
    for e in events:
        day = e.occurred_at.date()
        if day <= last_date and (e.customer_id not in first_day or day < first_day[e.customer_id]):
            first_day[e.customer_id] = day
    if not first_day:
        return []
    starts = {cid: max(day, history_start) if history_start else day for cid, day in first_day.items()}
    rows: list[Row] = []
    day = min(starts.values())
    while day <= last_date:
        params = Params(day, window_days, run_started_at)
        if half_life is None:
            scored = score_rows(customers, events, index, params)
        else:
            scored = decayed_score_rows(customers, events, index, params, half_life)
        for row in scored:
            if row["customer_id"] in starts and starts[row["customer_id"]] <= day:
                tier = tier_of(row["engagement_score"], tiers)
                rows.append({**row, "engagement_tier": tier.engagement_tier, "tier_rank": tier.tier_rank})
        day += timedelta(days=1)
    return rows


def score_changes(history: Sequence[Row]) -> list[Row]:
    """Expected rows of customer_engagement_score_changes."""
    by_key = {(r["customer_id"], r["score_date"]): r for r in history}
    rows: list[Row] = []
    days_in_tier: dict[str, int] = {}
    for r in sorted(history, key=lambda r: (r["customer_id"], r["score_date"])):
        cid, day, score = r["customer_id"], r["score_date"], r["engagement_score"]
        row: Row = {key: r[key] for key in ("customer_id", "score_date", "engagement_score",
                                            "engagement_tier", "tier_rank")}
        for n in CHANGE_DAYS:
            before = by_key.get((cid, day - timedelta(days=n)))
            earlier = before["engagement_score"] if before else None
            row[f"score_{n}d_before"] = earlier
            row[f"change_{n}d"] = None if earlier is None else score - earlier
            row[f"pct_change_{n}d"] = (None if not earlier else
                                       (100 * (score - earlier) / abs(earlier)).quantize(Decimal("0.01"),
                                                                                      ROUND_HALF_UP))
        yesterday = by_key.get((cid, day - timedelta(days=1)))
        row["previous_tier"] = yesterday["engagement_tier"] if yesterday else None
        row["previous_tier_rank"] = yesterday["tier_rank"] if yesterday else None
        row["tier_changed"] = yesterday is not None and yesterday["engagement_tier"] != r["engagement_tier"]
        same = yesterday is not None and not row["tier_changed"]
        days_in_tier[cid] = days_in_tier[cid] + 1 if same else 1
        row["days_in_current_tier"] = days_in_tier[cid]
        rows.append(row)
    return rows


def tier_transitions(changes: Sequence[Row]) -> list[Row]:
    """Expected rows of engagement_tier_transitions."""
    flows: Counter[tuple[date, str, int | None, str, int]] = Counter(
        (c["score_date"], c["previous_tier"] or "new", c["previous_tier_rank"], c["engagement_tier"], c["tier_rank"])
        for c in changes
    )
    return [{"score_date": d, "from_tier": f, "from_tier_rank": fr, "to_tier": t, "to_tier_rank": tr,
             "customers": n} for (d, f, fr, t, tr), n in flows.items()]


def _fell(change: Decimal, before: Decimal, points: Decimal, pct: Decimal) -> bool:
    """A fall of at least `points`, or of at least `pct` percent of a positive earlier score
    (compared without dividing, so exactly)."""
    return -change >= points or (before > 0 and -100 * change >= pct * before)


def alert_reason(points: Mapping[tuple[str, str, date], Decimal], score_date: date, days: int,
                 window_days: int, half_life: float | None) -> str | None:
    """The (up to) three event types whose window points fell the most from days before
    score_date to score_date, largest fall first (then by name), as `channel.event_type -1.25`.
    points: one customer's points per channel, event type and day. Derived event types (sessions,
    returning visits) are left to the analytics oracle: the datasets checked here do not weight them."""
    compared = score_date - timedelta(days=days)
    change: dict[str, Decimal] = defaultdict(Decimal)
    for (channel, event_type, day), day_points in points.items():
        name = f"{channel}.{event_type}"
        if in_window(day, score_date, window_days):
            change[name] += decayed(day_points, (score_date - day).days, half_life)
        if in_window(day, compared, window_days):
            change[name] -= decayed(day_points, (compared - day).days, half_life)
    falls = sorted((amount, name) for name, amount in change.items() if amount < 0)[:3]
    return ", ".join(f"{name} {round2(amount)}" for amount, name in falls) or None


def score_alerts(changes: Sequence[Row], tiers: Sequence[Tier], points: Mapping[TypeDay, Decimal],
                 window_days: int, half_life: float | None = None, drop_points: Decimal = Decimal(20),
                 drop_pct: Decimal = Decimal(30)) -> list[Row]:
    """Expected rows of engagement_score_alerts: a 7-day fall of drop_points or of drop_pct
    percent of a positive score (high at twice either), a tier lower than the day before (high at
    two or more), the first day in the lowest tier (high); the reason from the customer's points
    per event type and day (type_day_points)."""
    by_customer: dict[str, dict[tuple[str, str, date], Decimal]] = defaultdict(dict)
    for (cid, channel, event_type, day), day_points in points.items():
        by_customer[cid][(channel, event_type, day)] = day_points
    by_key = {(c["customer_id"], c["score_date"]): c for c in changes}
    lowest = min(t.tier_rank for t in tiers)
    seen_lowest: set[str] = set()
    rows: list[Row] = []

    def alert(c: Row, alert_type: str, high: bool, days: int) -> None:
        before = by_key.get((c["customer_id"], c["score_date"] - timedelta(days=days)))
        rows.append({"customer_id": c["customer_id"], "score_date": c["score_date"], "alert_type": alert_type,
                     "severity": "high" if high else "medium", "days_compared": days,
                     "score_before": c[f"score_{days}d_before"], "score_after": c["engagement_score"],
                     "score_change": c[f"change_{days}d"], "pct_change": c[f"pct_change_{days}d"],
                     "tier_before": before["engagement_tier"] if before else None,
                     "tier_after": c["engagement_tier"],
                     "reason": alert_reason(by_customer[c["customer_id"]], c["score_date"], days, window_days,
                                            half_life)})

    for c in sorted(changes, key=lambda c: (c["customer_id"], c["score_date"])):
        week_ago, change = c["score_7d_before"], c["change_7d"]
        if change is not None and _fell(change, week_ago, drop_points, drop_pct):
            alert(c, "score_drop", _fell(change, week_ago, 2 * drop_points, 2 * drop_pct), 7)
        if c["previous_tier_rank"] is not None and c["tier_rank"] < c["previous_tier_rank"]:
            alert(c, "tier_drop", c["previous_tier_rank"] - c["tier_rank"] >= 2, 1)
        if c["tier_rank"] == lowest and c["customer_id"] not in seen_lowest:
            seen_lowest.add(c["customer_id"])
            alert(c, "churn_risk_entry", True, 1)
    return rows
