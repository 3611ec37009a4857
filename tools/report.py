"""Write the engagement report: one self-contained HTML file of charts drawn from the marts.

The marts are read through dbt on the profile's target (DuckDB by default, `--target postgres`,
...): one `dbt run-operation` (macro engagement_report_data) resolves every mart the way
`ref()` does, so schemas, aliases and model versions are dbt's business, and runs the queries
below. A section whose marts are not in the project or not built yet (the backtest marts, a
partial build) is left out, with a note in the report saying why. Charts are plotly figures; the
file carries plotly.js inline, so it opens offline in any browser.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
from dbt.cli.main import dbtRunner
from dbt_common.events.base_types import EventMsg
from plotly.colors import sample_colorscale
from plotly.offline import get_plotlyjs
from plotly.subplots import make_subplots

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "reports" / "engagement_report.html"
MARKER = "engagement_report_data:"

TRANSITION_DAYS = 7
TREND_DAYS = 30
ALERT_DAYS = 30
TOP_ROWS = 10
MAX_SEGMENTS = 15
LATEST_ALERTS = 20

# One query per dataset; {mart} stands for the relation dbt resolves for ref('mart'). Plain SQL
# that DuckDB, PostgreSQL and Spark all read.
LAST_SCORE_DATES = """
    score_dates as (
        select score_date, dense_rank() over (order by score_date desc) as days_back
        from (select distinct score_date from {customer_engagement_daily}) as distinct_dates
    )"""
QUERIES: dict[str, str] = {
    "tiers": """
        select score_date, engagement_tier, tier_rank, customers, share_of_customers, avg_engagement_score
        from {engagement_tier_summary}
        order by tier_rank""",
    "trend": """
        select score_date, engagement_tier, tier_rank, count(*) as customers,
            avg(engagement_score) as avg_engagement_score
        from {customer_engagement_daily}
        group by score_date, engagement_tier, tier_rank
        order by score_date, tier_rank""",
    # Each customer's tier on the latest score date against their tier a week earlier ('new' when
    # their history starts later): where customers went, not how often they crossed a bound.
    "transitions": f"""
        with {LAST_SCORE_DATES},
        week_ends as (
            select history.customer_id, history.score_date, history.engagement_tier, history.tier_rank,
                score_dates.days_back
            from {{customer_engagement_daily}} as history
            inner join score_dates on history.score_date = score_dates.score_date
            where score_dates.days_back = 1
                or score_dates.days_back = (select least(max(days_back), {TRANSITION_DAYS + 1}) from score_dates)
        )
        select
            coalesce(start_tiers.engagement_tier, 'new') as from_tier, start_tiers.tier_rank as from_tier_rank,
            end_tiers.engagement_tier as to_tier, end_tiers.tier_rank as to_tier_rank,
            (select min(score_date) from week_ends) as from_date, end_tiers.score_date as to_date,
            count(*) as customers
        from week_ends as end_tiers
        left join week_ends as start_tiers
            on end_tiers.customer_id = start_tiers.customer_id and start_tiers.days_back > 1
        where end_tiers.days_back = 1
        group by start_tiers.engagement_tier, start_tiers.tier_rank, end_tiers.engagement_tier,
            end_tiers.tier_rank, end_tiers.score_date""",
    "segments": """
        select segment_column, segment_value, customers, avg_engagement_score, pct_engaged,
            share_churn_risk, share_disengaged, share_somewhat_engaged, share_highly_engaged, share_power_user
        from {engagement_segment_summary}""",
    "alerts_daily": f"""
        with {LAST_SCORE_DATES}
        select alerts.score_date, alerts.alert_type, alerts.severity, count(*) as alerts
        from {{engagement_score_alerts}} as alerts
        inner join score_dates on alerts.score_date = score_dates.score_date
        where score_dates.days_back <= {ALERT_DAYS}
        group by alerts.score_date, alerts.alert_type, alerts.severity
        order by alerts.score_date""",
    "alerts_latest": f"""
        select customer_id, score_date, alert_type, severity, score_before, score_after, score_change,
            tier_before, tier_after, reason
        from {{engagement_score_alerts}}
        where score_date = (select max(score_date) from {{engagement_score_alerts}})
        order by case when severity = 'high' then 0 else 1 end,
            case alert_type when 'churn_risk_entry' then 0 when 'tier_drop' then 1 else 2 end,
            coalesce(score_change, 0), customer_id, alert_type
        limit {LATEST_ALERTS}""",
    "upgrade_counts": """
        select plan, engagement_tier, tier_rank, count(*) as customers
        from {engagement_upgrade_candidates}
        group by plan, engagement_tier, tier_rank""",
    "upgrade_top": f"""
        select customer_id, plan, engagement_score, engagement_tier, days_since_signup,
            top_event_type_1, top_event_type_2, top_event_type_3
        from {{engagement_upgrade_candidates}}
        order by engagement_score desc, customer_id
        limit {TOP_ROWS}""",
    "churn_counts": """
        select engagement_tier, tier_rank, fell_from_tier, count(*) as customers,
            sum(case when negative_events > 0 then 1 else 0 end) as with_negative_events
        from {engagement_churn_watch}
        group by engagement_tier, tier_rank, fell_from_tier""",
    "churn_top": f"""
        select customer_id, plan, engagement_score, engagement_tier, fell_from_tier, days_since_last_event,
            negative_events
        from {{engagement_churn_watch}}
        order by negative_events desc, days_since_last_event, engagement_score, customer_id
        limit {TOP_ROWS}""",
    "backtest_tiers": """
        select score_date, horizon_days, engagement_tier, tier_rank, customers, share_of_customers, positives,
            outcome_rate, lift
        from {engagement_backtest_tiers}
        where score_date = (select max(score_date) from {engagement_backtest_tiers})
        order by horizon_days, tier_rank""",
    "backtest_deciles": """
        select score_date, horizon_days, decile, customers, min_score, max_score, outcome_rate, cumulative_capture
        from {engagement_backtest_deciles}
        where score_date = (select max(score_date) from {engagement_backtest_deciles})
        order by horizon_days, decile""",
}

Row = dict[str, Any]

FONT = "-apple-system, 'Segoe UI', 'Liberation Sans', 'DejaVu Sans', Arial, sans-serif"
NEW_TIER = "new"
NEW_COLOR = "#5dade2"
NEUTRAL = "#9aa5b1"


class ReportError(Exception):
    """The report cannot be written; the message says why and what to do."""


# ---------------------------------------------------------------- reading the marts


@dataclass
class Data:
    """Rows of each query that ran, and why the others did not."""

    target: dict[str, str]
    rows: dict[str, list[Row]] = field(default_factory=dict)
    missing: dict[str, list[str]] = field(default_factory=dict)


def read_marts(project_dir: Path, profiles_dir: Path, target: str | None) -> Data:
    """Run every query in one dbt invocation on the target."""
    messages: list[str] = []

    def collect(event: EventMsg) -> None:
        # The message is on every event's info (a protobuf field the EventInfo protocol leaves out).
        text = str(getattr(event.info, "msg", ""))
        if event.info.name.startswith("JinjaLog") and text.startswith(MARKER):
            messages.append(text[len(MARKER):])

    args = ["run-operation", "customer_engagement.engagement_report_data",
            "--args", json.dumps({"queries": QUERIES, "marker": MARKER}),
            "--project-dir", str(project_dir), "--profiles-dir", str(profiles_dir), "--quiet"]
    if target:
        args += ["--target", target]
    result = dbtRunner(callbacks=[collect]).invoke(args)
    if not result.success or not messages:
        raise ReportError(f"dbt could not read the marts (dbt {' '.join(args[:2])} failed: "
                          f"{result.exception or 'see the output above'})")
    payload = json.loads(messages[-1])
    data = Data(target=payload["target"])
    for name, outcome in payload["results"].items():
        if "missing" in outcome:
            data.missing[name] = outcome["missing"]
        else:
            data.rows[name] = [dict(zip(outcome["columns"], row)) for row in outcome["rows"]]
    return data


# ---------------------------------------------------------------- formatting


def pct(fraction: float, digits: int = 0) -> str:
    return f"{100 * fraction:.{digits}f} %"


def num(value: float, digits: int = 0) -> str:
    return f"{value:,.{digits}f}"


def count_of(count: int, one: str, many: str) -> str:
    """1 alert, 2 alerts."""
    return f"{num(count)} {one if count == 1 else many}"


def count_axis(largest: float) -> dict[str, Any]:
    """A y axis of whole counts: no 0.5 ticks when the counts are small."""
    return {"rangemode": "tozero", "tickformat": ",d", **({"dtick": 1} if largest < 8 else {})}


def day(value: str) -> date:
    return date.fromisoformat(value[:10])


def label(name: str | None) -> str:
    """churn_risk -> churn risk; an empty segment value reads as (none)."""
    return "(none)" if name is None or name == "" else str(name).replace("_", " ")


TIER_SCALE = ["#b2182b", "#ef8a35", "#f2c94c", "#8cc152", "#1a7f46"]  # lowest to highest tier


def tier_colors(tiers: Iterable[tuple[int, str]]) -> dict[str, str]:
    """Red (lowest rank) to green (highest), whatever the tier seed holds."""
    ordered = [name for _, name in sorted(set(tiers))]
    if len(ordered) == 1:
        return {ordered[0]: TIER_SCALE[-1], NEW_TIER: NEW_COLOR}
    scale = [[i / (len(TIER_SCALE) - 1), color] for i, color in enumerate(TIER_SCALE)]
    colors = sample_colorscale(scale, [i / (len(ordered) - 1) for i in range(len(ordered))])
    return {name: str(color) for name, color in zip(ordered, colors)} | {NEW_TIER: NEW_COLOR}


def style(fig: go.Figure, title: str, height: int, **layout: Any) -> None:
    """The report's look; legends sit at the bottom, below the x axis title."""
    settings: dict[str, Any] = {
        "title": {"text": title, "x": 0, "xanchor": "left", "font": {"size": 16}},
        "template": "plotly_white", "height": height, "font": {"family": FONT, "size": 12},
        "margin": {"l": 70, "r": 30, "t": 60, "b": 70 if layout.get("showlegend") is False else 110},
        "legend": {"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom"}}
    fig.update_layout(**(settings | layout))


# ---------------------------------------------------------------- sections


@dataclass
class Section:
    key: str
    title: str
    reading: str
    figure: go.Figure | None = None
    tables: list[tuple[str, str]] = field(default_factory=list)  # (caption, HTML table)


def html_table(rows: Sequence[Row], columns: Sequence[tuple[str, str]],
               formats: dict[str, Callable[[Any], str]] | None = None) -> str:
    """Rows as an HTML table; numeric columns right-aligned."""
    formats = formats or {}
    numeric = {c for c, _ in columns
               if any(isinstance(r[c], (int, float)) and not isinstance(r[c], bool) for r in rows)}

    def cell(column: str, value: Any) -> str:
        text = formats[column](value) if column in formats else "" if value is None else str(value)
        return f'<td{" class=num" if column in numeric else ""}>{html.escape(text)}</td>'

    head = "".join(f'<th{" class=num" if c in numeric else ""}>{html.escape(title)}</th>' for c, title in columns)
    body = "".join("<tr>" + "".join(cell(c, row[c]) for c, _ in columns) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def score(value: Any) -> str:
    return "" if value is None else f"{value:,.2f}"


def tier_section(data: Data, colors: dict[str, str]) -> Section:
    tiers = data.rows["tiers"]
    total = sum(r["customers"] for r in tiers)
    biggest = max(tiers, key=lambda r: r["customers"])
    fig = go.Figure(go.Bar(
        x=[label(r["engagement_tier"]) for r in tiers], y=[r["customers"] for r in tiers],
        marker_color=[colors[r["engagement_tier"]] for r in tiers],
        text=[f"{num(r['customers'])} ({pct(r['share_of_customers'])})" for r in tiers], textposition="outside",
        customdata=[[pct(r["share_of_customers"], 1), score(r["avg_engagement_score"])] for r in tiers],
        hovertemplate="%{x}: %{y:,} customers (%{customdata[0]}), average score %{customdata[1]}<extra></extra>"))
    style(fig, f"Customers per engagement tier on {tiers[0]['score_date']}", 380,
          xaxis_title="Engagement tier (lowest to highest)", yaxis_title="Customers (count)",
          yaxis=count_axis(biggest["customers"]) | {"range": [0, 1.18 * biggest["customers"]]}, showlegend=False)
    reading = (f"{pct(biggest['share_of_customers'])} of customers ({num(biggest['customers'])} of {num(total)}) "
               f"are {label(biggest['engagement_tier'])}, the largest tier.")
    return Section("tier_distribution", "Tier distribution", reading, fig)


def trend_sections(data: Data, colors: dict[str, str]) -> list[Section]:
    trend = data.rows["trend"]
    dates = sorted({r["score_date"] for r in trend})
    tiers = sorted({(r["tier_rank"], r["engagement_tier"]) for r in trend})
    by_key = {(r["score_date"], r["engagement_tier"]): r for r in trend}
    customers: dict[str, int] = defaultdict(int)
    points: dict[str, float] = defaultdict(float)
    for r in trend:
        customers[r["score_date"]] += r["customers"]
        points[r["score_date"]] += r["customers"] * r["avg_engagement_score"]
    per_date = {d: (customers[d], points[d] / customers[d]) for d in dates}  # all customers: (count, mean)

    score_fig = go.Figure()
    for _, tier in tiers:
        line = [(d, by_key[(d, tier)]["avg_engagement_score"]) for d in dates if (d, tier) in by_key]
        score_fig.add_trace(go.Scatter(
            x=[p[0] for p in line], y=[p[1] for p in line], name=label(tier), mode="lines",
            line={"color": colors[tier], "width": 1.5},
            hovertemplate=f"{label(tier)}: %{{y:.2f}} points on %{{x}}<extra></extra>"))
    score_fig.add_trace(go.Scatter(
        x=dates, y=[per_date[d][1] for d in dates], name="all customers", mode="lines",
        line={"color": "#1f2933", "width": 3, "dash": "dash"},
        hovertemplate="all customers: %{y:.2f} points on %{x}<extra></extra>"))
    style(score_fig, "Average engagement score per tier, day by day", 420,
          xaxis_title="Score date", yaxis_title="Average engagement score (points)")
    last = dates[-1]
    month_ago = (day(last) - timedelta(days=TREND_DAYS)).isoformat()
    first = month_ago if month_ago in per_date else dates[0]
    change = per_date[last][1] - per_date[first][1]
    score_reading = (f"From {first} to {last} the average score of customers with a score history "
                     f"{'rose' if change >= 0 else 'fell'} from {per_date[first][1]:.1f} to {per_date[last][1]:.1f} "
                     f"points ({change:+.1f}).")

    mix_fig = go.Figure()
    for _, tier in tiers:
        mix_fig.add_trace(go.Scatter(
            x=dates, y=[by_key[(d, tier)]["customers"] if (d, tier) in by_key else 0 for d in dates],
            name=label(tier), mode="lines", stackgroup="tiers", line={"color": colors[tier], "width": 0.5},
            hovertemplate=f"{label(tier)}: %{{y:,}} customers on %{{x}}<extra></extra>"))
    style(mix_fig, "Customers per tier, day by day (customers with a score history)", 420,
          xaxis_title="Score date", yaxis_title="Customers (count, stacked)",
          yaxis=count_axis(max(c for c, _ in per_date.values())))

    def share(d: str, tier: str) -> float:
        return by_key[(d, tier)]["customers"] / per_date[d][0] if (d, tier) in by_key else 0.0

    shifts = sorted((share(last, t) - share(first, t), t) for _, t in tiers)
    (fall, fallen), (rise, risen) = shifts[0], shifts[-1]
    mix_reading = (f"From {first} to {last}, {label(risen)} {'grew' if rise > 0 else 'stayed'} from "
                   f"{pct(share(first, risen))} to {pct(share(last, risen))} of customers and {label(fallen)} "
                   f"{'shrank' if fall < 0 else 'stayed'} from {pct(share(first, fallen))} to "
                   f"{pct(share(last, fallen))}.")
    return [Section("score_trend", "Score trend by tier", score_reading, score_fig),
            Section("tier_mix", "Tier mix over time", mix_reading, mix_fig)]


def transition_section(data: Data, colors: dict[str, str]) -> Section:
    rows = sorted(data.rows["transitions"], key=lambda r: (r["from_tier_rank"] or 0, r["to_tier_rank"]))
    first, last = rows[0]["from_date"], rows[0]["to_date"]
    rank = {r["to_tier"]: r["to_tier_rank"] for r in rows}

    def move(r: Row) -> str:
        if r["from_tier"] == NEW_TIER:
            return "new"
        return "stay" if r["to_tier_rank"] == r["from_tier_rank"] else \
            "up" if r["to_tier_rank"] > r["from_tier_rank"] else "down"

    counts = {kind: sum(r["customers"] for r in rows if move(r) == kind) for kind in ("stay", "up", "down", "new")}
    link_colors = {"stay": "rgba(154, 165, 177, 0.30)", "up": "rgba(39, 174, 96, 0.55)",
                   "down": "rgba(192, 57, 43, 0.55)", "new": "rgba(93, 173, 226, 0.5)"}
    sources = sorted({r["from_tier"] for r in rows}, key=lambda t: rank.get(t, 0), reverse=True)
    targets = sorted({r["to_tier"] for r in rows}, key=lambda t: rank[t], reverse=True)
    nodes = [f"{label(t)} on {first}" if t != NEW_TIER else f"new since {first}" for t in sources] + \
        [f"{label(t)} on {last}" for t in targets]
    fig = go.Figure(go.Sankey(
        arrangement="snap", valueformat=",d", valuesuffix=" customers",
        node={"label": nodes, "customdata": sources + targets, "hovertemplate": "%{label}<extra></extra>",
              "color": [colors.get(t, NEUTRAL) for t in sources + targets],
              "pad": 12, "thickness": 18, "line": {"width": 0}},
        link={"source": [sources.index(r["from_tier"]) for r in rows],
              "target": [len(sources) + targets.index(r["to_tier"]) for r in rows],
              "value": [r["customers"] for r in rows], "color": [link_colors[move(r)] for r in rows]}))
    style(fig, f"Where customers moved: tier on {first} (left) to tier on {last} (right), in customers", 480,
          showlegend=False)
    total = sum(counts.values())
    reading = (f"Of {num(total)} customers on {last}, {num(counts['stay'])} ({pct(counts['stay'] / total)}) are in "
               f"the tier they were in on {first}; {num(counts['down'])} moved down (red), {num(counts['up'])} up "
               f"(green) and {num(counts['new'])} {'is' if counts['new'] == 1 else 'are'} new (blue).")
    return Section("tier_transitions", f"Tier transitions over the last {TRANSITION_DAYS} days", reading, fig)


SHARE_TIERS = ("churn_risk", "disengaged", "somewhat_engaged", "highly_engaged", "power_user")


def segment_section(data: Data, colors: dict[str, str]) -> Section:
    rows = data.rows["segments"]
    overall = next(r for r in rows if r["segment_column"] == "all")
    columns = sorted({r["segment_column"] for r in rows} - {"all"})
    values = {c: sorted((r for r in rows if r["segment_column"] == c), key=lambda r: -r["customers"]) for c in columns}
    # The largest segments of a column with many values (countries): a readable chart, not every one.
    groups = {c: sorted(values[c][:MAX_SEGMENTS], key=lambda r: r["pct_engaged"]) for c in columns}
    heights = [len(groups[c]) + 1 for c in columns]
    titles = [f"by {label(c)}" + (f" ({MAX_SEGMENTS} largest of {len(values[c])})"
                                  if len(values[c]) > MAX_SEGMENTS else "") for c in columns]
    fig = make_subplots(rows=len(columns), cols=1, shared_xaxes=True, vertical_spacing=0.06,
                        row_heights=heights, subplot_titles=titles)
    for i, column in enumerate(columns, start=1):
        bars = [overall, *groups[column]]
        names = ["all customers", *(label(r["segment_value"]) for r in groups[column])]
        for tier in SHARE_TIERS:
            fig.add_trace(go.Bar(
                y=names, x=[100 * r[f"share_{tier}"] for r in bars], orientation="h", name=label(tier), meta=column,
                marker_color=colors.get(tier, NEUTRAL), legendgroup=tier, showlegend=i == 1,
                customdata=[r["customers"] for r in bars],
                hovertemplate=f"%{{y}}: %{{x:.1f}} % {label(tier)} (of %{{customdata:,}} customers)<extra></extra>"),
                row=i, col=1)
    fig.update_xaxes(title_text="Share of the segment's customers (%)", range=[0, 100], row=len(columns), col=1)
    style(fig, "Tier mix per segment (each bar 100 % of its customers)", 140 + 26 * sum(heights) + 40 * len(columns),
          barmode="stack")
    segments = [r for c in columns for r in groups[c]]
    best, worst = max(segments, key=lambda r: r["pct_engaged"]), min(segments, key=lambda r: r["pct_engaged"])
    reading = (f"Most engaged segment: {label(best['segment_column'])} {label(best['segment_value'])} "
               f"({best['pct_engaged']:.0f} % engaged); least: {label(worst['segment_column'])} "
               f"{label(worst['segment_value'])} ({worst['pct_engaged']:.0f} %); all customers: "
               f"{overall['pct_engaged']:.0f} %.")
    return Section("segments", "Segment comparison", reading, fig)


ALERT_COLORS = {"churn_risk_entry": "#8e1b10", "tier_drop": "#e67e22", "score_drop": "#f4c542"}
ALERT_NAMES = {"churn_risk_entry": ("churn-risk entry", "churn-risk entries")}


def alerts_of(count: int, alert_type: str) -> str:
    """12 score drops, 1 churn-risk entry."""
    return count_of(count, *ALERT_NAMES.get(alert_type, (label(alert_type), label(alert_type) + "s")))


def alert_section(data: Data) -> Section:
    daily, latest = data.rows["alerts_daily"], data.rows["alerts_latest"]
    last_date: str = latest[0]["score_date"]
    by_date_type: dict[tuple[str, str], int] = defaultdict(int)
    for r in daily:
        by_date_type[(r["score_date"], r["alert_type"])] += r["alerts"]
    dates = sorted({r["score_date"] for r in daily})
    types = sorted({r["alert_type"] for r in daily}, key=lambda t: list(ALERT_COLORS).index(t)
                   if t in ALERT_COLORS else len(ALERT_COLORS))
    fig = None
    if daily:
        fig = go.Figure([go.Bar(x=dates, y=[by_date_type.get((d, t), 0) for d in dates], name=label(t),
                                marker_color=ALERT_COLORS.get(t, NEUTRAL),
                                hovertemplate=f"%{{x}}: %{{y:,}} {label(t)} alerts<extra></extra>") for t in types])
        style(fig, f"Alerts raised per day, last {ALERT_DAYS} score dates", 380, barmode="stack",
              xaxis_title="Score date", yaxis_title="Alerts (count)",
              yaxis=count_axis(max(sum(by_date_type.get((d, t), 0) for t in types) for d in dates)))
    on_last = [r for r in daily if r["score_date"] == last_date]
    total = sum(r["alerts"] for r in on_last)
    high = sum(r["alerts"] for r in on_last if r["severity"] == "high")
    kinds = ", ".join(alerts_of(by_date_type[(last_date, t)], t) for t in types if by_date_type.get((last_date, t)))
    reading = (f"{count_of(total, 'alert', 'alerts')} on {last_date}, {num(high)} of high severity ({kinds})."
               if total else f"No alerts in the last {ALERT_DAYS} score dates; the latest are from {last_date}.")
    table = html_table(latest, [("customer_id", "customer"), ("alert_type", "alert"), ("severity", "severity"),
                                ("tier_before", "tier before"), ("tier_after", "tier after"),
                                ("score_before", "score before"), ("score_after", "score after"),
                                ("score_change", "change"), ("reason", "reason (points lost per event type)")],
                       {"score_before": score, "score_after": score, "score_change": score,
                        "tier_before": label, "tier_after": label, "alert_type": label})
    caption = (f"Latest alerts ({last_date}; high severity first, then churn-risk entries, tier drops and the "
               f"largest falls; at most {LATEST_ALERTS})")
    return Section("alerts", "Latest alerts and their reasons", reading, fig, [(caption, table)])


def action_section(data: Data, colors: dict[str, str]) -> Section:
    upgrade, churn = data.rows["upgrade_counts"], data.rows["churn_counts"]
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.12,
                        subplot_titles=["Upgrade candidates by plan", "Churn watch by current tier"])
    plans = sorted({r["plan"] for r in upgrade}, key=lambda p: str(p))
    for _, tier in sorted({(r["tier_rank"], r["engagement_tier"]) for r in upgrade}):
        counts = {r["plan"]: r["customers"] for r in upgrade if r["engagement_tier"] == tier}
        fig.add_trace(go.Bar(x=[label(p) for p in plans], y=[counts.get(p, 0) for p in plans], name=label(tier),
                             marker_color=colors.get(tier, NEUTRAL), legendgroup="upgrade",
                             legendgrouptitle_text="candidate's tier",
                             hovertemplate=f"%{{x}}: %{{y:,}} {label(tier)} candidates<extra></extra>"), row=1, col=1)
    watch_tiers = sorted({(r["tier_rank"], r["engagement_tier"]) for r in churn})
    fell = sorted({r["fell_from_tier"] for r in churn}, key=lambda t: (t is None, str(t)))
    for origin in fell:
        counts = {r["engagement_tier"]: r["customers"] for r in churn if r["fell_from_tier"] == origin}
        name = f"fell from {label(origin)}" if origin else "no higher tier in the look-back"
        fig.add_trace(go.Bar(x=[label(t) for _, t in watch_tiers], y=[counts.get(t, 0) for _, t in watch_tiers],
                             name=name, marker_color=colors.get(origin, NEUTRAL) if origin else NEUTRAL,
                             marker_pattern_shape="/" if origin else "", legendgroup="churn",
                             legendgrouptitle_text="churn watch: fell from",
                             hovertemplate=f"%{{x}}: %{{y:,}} customers, {name}<extra></extra>"), row=1, col=2)
    candidates = sum(r["customers"] for r in upgrade)
    watched = sum(r["customers"] for r in churn)
    for col, (total, what) in enumerate(((candidates, "upgrade candidates"), (watched, "customers on churn watch")), 1):
        fig.update_yaxes(title_text="Customers (count)", row=1, col=col,
                         **count_axis(max((r["customers"] for r in (upgrade, churn)[col - 1]), default=0)))
        if not total:
            fig.add_annotation(text=f"no {what}", showarrow=False, font={"size": 14, "color": NEUTRAL},
                               xref="paper", yref="paper", x=sum(fig.get_subplot(1, col).xaxis.domain) / 2, y=0.5)
    fig.update_xaxes(title_text="Plan", row=1, col=1)
    fig.update_xaxes(title_text="Current tier", row=1, col=2)
    style(fig, "Who to act on: upgrade candidates and churn watch", 420, barmode="stack",
          legend={"orientation": "v", "x": 1.02, "y": 1}, margin={"l": 70, "r": 30, "t": 60, "b": 60})
    per_plan = ", ".join(f"{label(p)} {num(sum(r['customers'] for r in upgrade if r['plan'] == p))}" for p in plans)
    negative = sum(r["with_negative_events"] for r in churn)
    reading = (f"{count_of(candidates, 'upgrade candidate', 'upgrade candidates')}"
               f"{f' ({per_plan})' if per_plan else ''}; {count_of(watched, 'customer', 'customers')} on churn "
               f"watch, {num(negative)} of them with negative events (uninstalls, detractor or unsatisfied answers).")
    tables = [
        (f"Top upgrade candidates (the {TOP_ROWS} highest scores)", html_table(
            data.rows["upgrade_top"], [("customer_id", "customer"), ("plan", "plan"), ("engagement_score", "score"),
                                       ("engagement_tier", "tier"), ("days_since_signup", "days since sign-up"),
                                       ("top_event_type_1", "top event type"), ("top_event_type_2", "2nd"),
                                       ("top_event_type_3", "3rd")],
            {"engagement_score": score, "engagement_tier": label})),
        (f"Churn watch: the first {TOP_ROWS} to call (most negative events, most recent)", html_table(
            data.rows["churn_top"], [("customer_id", "customer"), ("plan", "plan"), ("engagement_score", "score"),
                                     ("engagement_tier", "tier"), ("fell_from_tier", "fell from"),
                                     ("days_since_last_event", "days since last event"),
                                     ("negative_events", "negative events")],
            {"engagement_score": score, "engagement_tier": label,
             "fell_from_tier": lambda t: label(t) if t else "none in the look-back"})),
    ]
    return Section("actions", "Upgrade candidates and churn watch", reading, fig,
                   [(caption, table) for caption, table in tables if "<td" in table])


def horizon_name(horizon: int) -> str:
    return f"outcome within {horizon} days"


def backtest_tier_section(data: Data, colors: dict[str, str]) -> Section:
    rows = data.rows["backtest_tiers"]
    horizons = sorted({r["horizon_days"] for r in rows})
    fig = go.Figure()
    for i, horizon in enumerate(horizons):
        # A tier without customers has no rate, and no bar.
        hr = [r for r in rows if r["horizon_days"] == horizon and r["outcome_rate"] is not None]
        fig.add_trace(go.Bar(
            x=[label(r["engagement_tier"]) for r in hr], y=[100 * r["outcome_rate"] for r in hr],
            name=horizon_name(horizon), marker_color=[colors.get(r["engagement_tier"], NEUTRAL) for r in hr],
            marker_pattern_shape=["", "/", ".", "x"][i % 4], marker_opacity=1 if i == 0 else 0.7,
            marker_line={"width": 1, "color": "#1f2933"}, text=[f"{100 * r['outcome_rate']:.0f} %" for r in hr],
            textposition="outside", customdata=[[r["customers"], r["positives"], r["lift"]] for r in hr],
            hovertemplate="%{x}: %{y:.1f} % (%{customdata[1]:,} of %{customdata[0]:,} customers), "
                          "lift %{customdata[2]:.2f}×<extra></extra>"))
    score_date = rows[0]["score_date"]
    style(fig, f"Outcome rate per tier, customers scored on {score_date}", 400, barmode="group",
          xaxis_title="Engagement tier on the score date (lowest to highest)",
          yaxis_title="Customers with the outcome (%)", yaxis_range=[0, 110], showlegend=len(horizons) > 1)
    # A tier without customers has no rate.
    hr = [r for r in rows if r["horizon_days"] == horizons[0] and r["outcome_rate"] is not None]
    low, high = hr[0], hr[-1]
    rates = [r["outcome_rate"] for r in hr]
    monotone = all(a <= b for a, b in zip(rates, rates[1:]))
    lift = f"lift {high['lift']:.2f}×" if high["lift"] is not None else "no lift: nobody had the outcome"
    reading = (f"Within {horizons[0]} days of {score_date}, {pct(low['outcome_rate'])} of "
               f"{label(low['engagement_tier'])} customers had the outcome against {pct(high['outcome_rate'])} of "
               f"{label(high['engagement_tier'])} customers ({lift}); the rate "
               f"{'rises with every tier' if monotone else 'does not rise with every tier'}.")
    return Section("backtest_tiers", "Does the score predict? Outcome rate per tier", reading, fig)


def backtest_decile_section(data: Data) -> Section:
    rows = data.rows["backtest_deciles"]
    horizons = sorted({r["horizon_days"] for r in rows})
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    readings = []
    for horizon in horizons:
        hr = [r for r in rows if r["horizon_days"] == horizon]
        customers = sum(r["customers"] for r in hr)
        base = sum(r["outcome_rate"] * r["customers"] for r in hr) / customers
        lifts = [r["outcome_rate"] / base if base else None for r in hr]
        fig.add_trace(go.Bar(
            x=[r["decile"] for r in hr], y=lifts, name=f"lift, {horizon_name(horizon)}",
            marker_color="#2c7fb8", marker_pattern_shape="" if horizon == horizons[0] else "/",
            customdata=[[100 * r["outcome_rate"], r["min_score"], r["max_score"], r["customers"]] for r in hr],
            hovertemplate="decile %{x} (scores %{customdata[1]:.2f} to %{customdata[2]:.2f}, %{customdata[3]:,} "
                          "customers): outcome rate %{customdata[0]:.1f} %, lift %{y:.2f}×<extra></extra>"),
            secondary_y=False)
        fig.add_trace(go.Scatter(
            x=[r["decile"] for r in hr], mode="lines+markers",
            y=[None if r["cumulative_capture"] is None else 100 * r["cumulative_capture"] for r in hr],
            name=f"cumulative capture, {horizon_name(horizon)}", line={"color": "#d95f0e", "width": 2.5},
            hovertemplate="deciles 1 to %{x}: %{y:.1f} % of all outcomes<extra></extra>"), secondary_y=True)
        if horizon != horizons[0]:
            continue
        fig.add_trace(go.Scatter(
            x=[r["decile"] for r in hr], y=[100 * c / customers for c in accumulate(r["customers"] for r in hr)],
            mode="lines", name="capture of a random ranking",
            line={"color": NEUTRAL, "dash": "dot"},
            hovertemplate="a random ranking: %{y:.1f} %<extra></extra>"), secondary_y=True)
        top = hr[0]
        readings.append(
            f"The top decile (scores {score(top['min_score'])} to {score(top['max_score'])}) has the outcome "
            f"{lifts[0]:.1f}× as often as average within {horizon} days and holds {pct(top['cumulative_capture'])} "
            f"of all outcomes (a random tenth: {pct(top['customers'] / customers)})." if base else
            f"No customer had the outcome within {horizon} days: there is no lift to show.")
    fig.add_hline(y=1, line={"color": "#2c7fb8", "dash": "dash", "width": 1}, secondary_y=False)
    fig.update_xaxes(title_text="Score decile (1 = highest scores)", dtick=1)
    fig.update_yaxes(title_text="Lift (outcome rate ÷ average rate, ×)", secondary_y=False, rangemode="tozero")
    fig.update_yaxes(title_text="Cumulative share of outcomes (%)", secondary_y=True, range=[0, 105],
                     tickmode="linear", tick0=0, dtick=20, showgrid=False)
    style(fig, f"Decile lift and cumulative capture, customers scored on {rows[0]['score_date']}", 420)
    return Section("backtest_deciles", "Does the score predict? Decile lift", " ".join(readings), fig)


# A section: its title in notes, the queries it needs, and its builder.
Builder = Callable[[Data, dict[str, str]], Section | list[Section]]
SECTIONS: list[tuple[str, tuple[str, ...], Builder]] = [
    ("Tier distribution", ("tiers",), tier_section),
    ("Score trend by tier", ("trend",), trend_sections),
    ("Tier transitions", ("transitions",), transition_section),
    ("Segment comparison", ("segments",), segment_section),
    ("Latest alerts", ("alerts_latest", "alerts_daily"), lambda d, _: alert_section(d)),
    ("Upgrade candidates and churn watch", ("upgrade_counts", "churn_counts"), action_section),
    ("Backtest: outcome rate per tier", ("backtest_tiers",), backtest_tier_section),
    ("Backtest: decile lift", ("backtest_deciles",), lambda d, _: backtest_decile_section(d)),
]


def build_sections(data: Data) -> tuple[list[Section], list[str]]:
    """The sections whose data is there, and a note for each left out."""
    ranks = [(r["tier_rank"], r["engagement_tier"]) for name in ("tiers", "trend", "backtest_tiers")
             for r in data.rows.get(name, [])]
    ranks += [(r["to_tier_rank"], r["to_tier"]) for r in data.rows.get("transitions", [])]
    colors = tier_colors(ranks) if ranks else {NEW_TIER: NEW_COLOR}
    sections: list[Section] = []
    notes: list[str] = []
    for title, needs, builder in SECTIONS:
        absent = [reason for n in needs for reason in data.missing.get(n, [])]
        if absent:
            notes.append(f"{title}: left out, {'; '.join(sorted(set(absent)))}.")
        elif not any(data.rows[n] for n in needs):
            notes.append(f"{title}: left out, its marts have no rows.")
        else:
            built = builder(data, colors)
            sections.extend(built if isinstance(built, list) else [built])
    return sections, notes


# ---------------------------------------------------------------- the page

CSS = """
:root { color-scheme: light; }
body { font-family: %(font)s; margin: 0; background: #f5f7fa; color: #1f2933; }
header { background: #1f2933; color: #f5f7fa; padding: 24px 40px; }
header h1 { margin: 0 0 4px; font-size: 26px; }
header p { margin: 0; color: #cbd2d9; }
.kpis { display: flex; flex-wrap: wrap; gap: 12px; margin-top: 18px; }
.kpi { background: #323f4b; border-radius: 6px; padding: 10px 16px; min-width: 130px; }
.kpi b { display: block; font-size: 22px; color: #fff; }
.kpi span { font-size: 12px; color: #cbd2d9; }
main { max-width: 1180px; margin: 0 auto; padding: 12px 24px 40px; }
section { background: #fff; border-radius: 8px; box-shadow: 0 1px 3px rgba(0,0,0,.08); margin: 20px 0;
          padding: 18px 22px; }
section h2 { margin: 0 0 4px; font-size: 19px; }
p.reading { margin: 0 0 8px; font-size: 15px; color: #334e68; }
p.reading::before { content: "Reading: "; font-weight: 600; }
table { border-collapse: collapse; width: 100%%; font-size: 12.5px; margin-top: 6px; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #e4e7eb; vertical-align: top; }
th { background: #f0f4f8; }
.num { text-align: right; white-space: nowrap; }
caption { text-align: left; font-weight: 600; padding: 10px 0 2px; }
.notes li { margin: 4px 0; }
footer { text-align: center; color: #7b8794; font-size: 12px; padding-bottom: 24px; }
""" % {"font": FONT}


def kpis(data: Data) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if data.rows.get("tiers"):
        out.append((num(sum(r["customers"] for r in data.rows["tiers"])), "customers scored"))
    overall = [r for r in data.rows.get("segments", []) if r["segment_column"] == "all"]
    if overall:
        out.append((f"{overall[0]['pct_engaged']:.0f} %", "engaged (somewhat engaged or above)"))
    if data.rows.get("upgrade_counts") is not None:
        out.append((num(sum(r["customers"] for r in data.rows["upgrade_counts"])), "upgrade candidates"))
    if data.rows.get("churn_counts") is not None:
        out.append((num(sum(r["customers"] for r in data.rows["churn_counts"])), "on churn watch"))
    return out


def render(data: Data, sections: Sequence[Section], notes: Sequence[str], generated: datetime) -> str:
    score_date = data.rows["tiers"][0]["score_date"] if data.rows.get("tiers") else "unknown"
    config = {"displaylogo": False, "responsive": True}
    parts: list[str] = []
    for s in sections:
        chart = ""
        if s.figure is not None:
            chart = (f'<div class="chart" data-chart="{s.key}">' + s.figure.to_html(
                full_html=False, include_plotlyjs=False, config=config, div_id=f"chart-{s.key}",
                default_height=f"{s.figure.layout.height}px") + "</div>")
        tables = "".join(t.replace("<table>", f"<table><caption>{html.escape(c)}</caption>", 1) for c, t in s.tables)
        parts.append(f'<section id="{s.key}"><h2>{html.escape(s.title)}</h2>'
                     f'<p class="reading">{html.escape(s.reading)}</p>{chart}{tables}</section>')
    if notes:
        parts.append('<section class="notes" id="notes"><h2>Not in this report</h2><ul>'
                     + "".join(f"<li>{html.escape(n)}</li>" for n in notes) + "</ul></section>")
    cards = "".join(f'<div class="kpi"><b>{html.escape(v)}</b><span>{html.escape(t)}</span></div>'
                    for v, t in kpis(data))
    target = f"{data.target['name']} ({data.target['type']})"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Customer engagement report, {html.escape(score_date)}</title>
<style>{CSS}</style>
<script>{get_plotlyjs()}</script>
</head><body>
<header><h1>Customer engagement report</h1>
<p>Score date {html.escape(score_date)} · dbt target {html.escape(target)} ·
generated {generated:%Y-%m-%d %H:%M} UTC by tools/report.py</p>
<div class="kpis">{cards}</div></header>
<main>{''.join(parts)}</main>
<footer>customer_engagement dbt package · charts drawn with plotly.js, embedded in this file</footer>
</body></html>
"""


def write_report(out: Path, project_dir: Path = ROOT, profiles_dir: Path | None = None,
                 target: str | None = None) -> Path:
    data = read_marts(project_dir, profiles_dir or Path(os.environ.get("DBT_PROFILES_DIR", project_dir)), target)
    sections, notes = build_sections(data)
    if not any(s.figure is not None for s in sections):
        raise ReportError("no mart of the report is built on this target: run `dbt build` (or `make run`) first.\n"
                          + "\n".join(notes))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(data, sections, notes, datetime.now(timezone.utc)), encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help=f"HTML file to write (default: {DEFAULT_OUT.relative_to(ROOT)} in the repository)")
    parser.add_argument("--target", help="dbt target of the profile (default: $DBT_TARGET, else the profile's own)")
    parser.add_argument("--project-dir", type=Path, default=ROOT,
                        help="dbt project that builds the marts (default: this repository)")
    parser.add_argument("--profiles-dir", type=Path,
                        help="folder of profiles.yml (default: $DBT_PROFILES_DIR, else the project folder)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        out = write_report(args.out, args.project_dir, args.profiles_dir, args.target)
    except ReportError as exc:
        print(f"report: {exc}", file=sys.stderr)
        return 1
    print(f"Report written in {time.perf_counter() - started:.1f} s, open it in a browser: {out.resolve()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
