"""The report of tools/report.py, as a person sees it: written from the crafted build's marts on the
suite's engine, opened in headless Chromium, every chart drawn without a console error, and the
numbers on the page equal to the marts'. The backtest charts appear once their marts are built
(stand-ins with the backtest marts' columns while the package has none)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from conftest import Built
from harness import ProjectCopy, as_naive_utc

import report  # tools/, on the path through engines.py

CHROMIUM = Path("/usr/bin/chromium")
# Root needs --no-sandbox; the rest keeps Chromium off the network, which is closed here anyway.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-default-apps", "--disable-extensions"]
CHARTS = ["tier_distribution", "score_trend", "tier_mix", "tier_transitions", "segments", "alerts", "actions"]
BACKTEST_CHARTS = ["backtest_tiers", "backtest_deciles"]

# Marks plotly draws: bars (g.point), lines and areas, Sankey links.
DRAWN = """() => [...document.querySelectorAll('[data-chart]')].map(chart => {
    const svg = chart.querySelector('svg.main-svg');
    const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
    return {key: chart.dataset.chart, width: box.width, height: box.height,
            marks: chart.querySelectorAll('g.point path, path.js-line, path.js-fill, path.sankey-link').length};
})"""
TRACES = """id => document.getElementById(id).data.map(t => ({
    name: t.name ?? null, x: Array.from(t.x ?? []), y: Array.from(t.y ?? []),
    values: t.link ? Array.from(t.link.value) : [], sources: t.link ? Array.from(t.link.source) : [],
    targets: t.link ? Array.from(t.link.target) : [], nodes: t.node ? Array.from(t.node.customdata) : [],
    meta: t.meta ?? null}))"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: `make test` installs Debian's chromium with apt-get, and it "
                    "could not be installed here")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class OpenReport:
    """A report written from a project's marts, loaded in a browser page until every chart drew."""

    def __init__(self, browser: Any, project: ProjectCopy, folder: Path) -> None:
        self.path = folder / "engagement_report.html"
        with project.dbt_environment():
            assert report.main(["--project-dir", str(project.root), "--profiles-dir", str(project.root),
                                "--out", str(self.path)]) == 0
        self.errors: list[str] = []
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(self.path.as_uri())
        from playwright.sync_api import TimeoutError as NotDrawn

        try:
            self.page.wait_for_function(f"() => ({DRAWN})().every(c => c.marks > 0)", timeout=30_000)
        except NotDrawn:  # assert_every_chart_drew says which chart did not draw
            pass
        self.page.screenshot(path=str(folder / "engagement_report.png"), full_page=True)

    def charts(self) -> list[dict[str, Any]]:
        return list(self.page.evaluate(DRAWN))

    def traces(self, chart: str) -> list[dict[str, Any]]:
        return list(self.page.evaluate(TRACES, f"chart-{chart}"))

    def notes(self) -> list[str]:
        return list(self.page.locator("#notes li").all_inner_texts())

    def assert_every_chart_drew(self, expected: Sequence[str]) -> None:
        charts = self.charts()
        assert [c["key"] for c in charts] == list(expected)
        assert [c for c in charts if not (c["width"] > 0 and c["height"] > 0 and c["marks"] > 0)] == []
        assert self.errors == []


def dec(value: Any) -> Decimal:
    """A number of the page or a mart as an exact Decimal (a float by its shortest repr)."""
    return Decimal(str(value))


def close(actual: Any, expected: Any, places: int = 6) -> bool:
    return abs(dec(actual) - dec(expected)) < Decimal(10) ** -places


def check_marts_numbers(page: OpenReport, project: ProjectCopy) -> None:
    """What the charts show is what the marts hold."""
    tiers = sorted(project.mart("engagement_tier_summary"), key=lambda r: r["tier_rank"])
    assert page.traces("tier_distribution")[0]["y"] == [r["customers"] for r in tiers]

    history = project.mart("customer_engagement_daily")
    last = max(as_naive_utc(r["score_date"]) for r in history)
    week_before = last - timedelta(days=report.TRANSITION_DAYS)
    on = {d: {r["customer_id"]: r["engagement_tier"] for r in history if as_naive_utc(r["score_date"]) == d}
          for d in (last, week_before)}
    moves = Counter((on[week_before].get(c, report.NEW_TIER), tier) for c, tier in on[last].items())
    sankey = page.traces("tier_transitions")[0]
    shown = Counter({(sankey["nodes"][s], sankey["nodes"][t]): v
                     for s, t, v in zip(sankey["sources"], sankey["targets"], sankey["values"])})
    assert shown == moves

    latest_mean = sum(dec(r["engagement_score"]) for r in history if as_naive_utc(r["score_date"]) == last) \
        / len(on[last])
    all_customers = next(t for t in page.traces("score_trend") if t["name"] == "all customers")
    assert close(all_customers["y"][-1], latest_mean, 4)

    segments = project.mart("engagement_segment_summary")
    for trace in page.traces("segments"):
        rows = {"all customers" if r["segment_column"] == "all" else report.label(r["segment_value"]): r
                for r in segments if r["segment_column"] in ("all", trace["meta"])}
        assert set(trace["y"]) == set(rows)
        tier = trace["name"].replace(" ", "_")
        assert all(close(x, 100 * dec(rows[y][f"share_{tier}"])) for y, x in zip(trace["y"], trace["x"]))

    alerts = project.mart("engagement_score_alerts")
    last_alert_date = max(r["score_date"] for r in alerts)
    todays = [r for r in alerts if r["score_date"] == last_alert_date]
    shown_today = sum(t["y"][-1] for t in page.traces("alerts"))
    assert shown_today == len(todays)
    assert page.page.locator("#alerts tbody tr").count() == min(len(todays), report.LATEST_ALERTS)
    first_reason = page.page.locator("#alerts tbody tr").first.locator("td").last.inner_text()
    assert first_reason in {r["reason"] or "" for r in todays}

    upgrade, churn = page.traces("actions"), project.mart("engagement_churn_watch")
    candidates = [t for t in upgrade if not t["name"].startswith(("fell from", "no higher"))]
    assert sum(sum(t["y"]) for t in candidates) == len(project.mart("engagement_upgrade_candidates"))
    assert sum(sum(t["y"]) for t in upgrade if t not in candidates) == len(churn)


def test_report_draws_every_chart_with_the_marts_numbers(crafted_build: Built, browser: Any,
                                                         tmp_path: Path) -> None:
    project = crafted_build.project
    page = OpenReport(browser, project, tmp_path)
    page.assert_every_chart_drew(CHARTS + BACKTEST_CHARTS)
    assert page.notes() == []
    check_marts_numbers(page, project)


# ---------------------------------------------------------------- backtest charts

def test_backtest_charts_show_the_backtest_marts(crafted_build: Built, browser: Any, tmp_path: Path) -> None:
    """The backtest charts draw the backtest marts' latest backtest date, every horizon, and their
    readings quote the marts' numbers."""
    project = crafted_build.project
    page = OpenReport(browser, project, tmp_path)
    tiers, deciles = project.mart("engagement_backtest_tiers"), project.mart("engagement_backtest_deciles")
    assert tiers and deciles, "the crafted build's backtest has no rows: the charts below would check nothing"
    latest = max(r["score_date"] for r in tiers)
    horizons = sorted({r["horizon_days"] for r in tiers if r["score_date"] == latest})

    bars = page.traces("backtest_tiers")
    assert [t["name"] for t in bars] == [report.horizon_name(h) for h in horizons]
    for trace, horizon in zip(bars, horizons):
        rows = sorted((r for r in tiers if r["score_date"] == latest and r["horizon_days"] == horizon
                       and r["outcome_rate"] is not None), key=lambda r: r["tier_rank"])
        assert len(trace["y"]) == len(rows)
        assert all(close(a, 100 * dec(r["outcome_rate"])) for a, r in zip(trace["y"], rows))

    traces = {t["name"]: t for t in page.traces("backtest_deciles")}
    for horizon in horizons:
        rows = sorted((r for r in deciles if r["score_date"] == latest and r["horizon_days"] == horizon),
                      key=lambda r: r["decile"])
        customers = sum(r["customers"] for r in rows)
        base = sum(dec(r["outcome_rate"]) * r["customers"] for r in rows) / customers
        lift, capture = traces[f"lift, {report.horizon_name(horizon)}"], \
            traces[f"cumulative capture, {report.horizon_name(horizon)}"]
        assert len(lift["y"]) == len(rows) == len(capture["y"])
        if base:
            assert all(close(a, dec(r["outcome_rate"]) / base, 4) for a, r in zip(lift["y"], rows))
        assert all((a is None and r["cumulative_capture"] is None) or close(a, 100 * dec(r["cumulative_capture"]))
                   for a, r in zip(capture["y"], rows))
        if horizon == horizons[0] and base:
            reading = page.page.locator("#backtest_deciles p.reading").inner_text()
            assert f"{dec(rows[0]['outcome_rate']) / base:.1f}× as often as average" in reading
