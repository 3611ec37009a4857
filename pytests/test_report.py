"""The report of tools/report.py, as a person sees it: written from the crafted build's marts on the
suite's engine, opened in headless Chromium, every chart drawn without a console error, and the
numbers on the page equal to the marts'. The backtest charts appear once their marts are built
(stand-ins with the backtest marts' columns while the package has none)."""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from conftest import Built
from harness import DATA_ONLY, ProjectCopy, as_naive_utc

import report  # tools/, on the path through engines.py

CHROMIUM = Path("/usr/bin/chromium")
# Root needs --no-sandbox; the rest keeps Chromium off the network, which is closed here anyway.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-default-apps", "--disable-extensions"]
CHARTS = ["tier_distribution", "score_trend", "tier_mix", "tier_transitions", "segments", "alerts", "actions"]
BACKTEST_CHARTS = ["backtest_tiers", "backtest_deciles"]
BACKTEST_MARTS = ["engagement_backtest_tiers", "engagement_backtest_deciles"]

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
    built_backtest = [c for c, m in zip(BACKTEST_CHARTS, BACKTEST_MARTS) if has_model(project, m)]
    page = OpenReport(browser, project, tmp_path)
    page.assert_every_chart_drew(CHARTS + built_backtest)
    check_marts_numbers(page, project)
    if not built_backtest:
        assert page.notes() == [f"{title}: left out, {mart}: not a model of this project."
                                for title, mart in zip(("Backtest: outcome rate per tier", "Backtest: decile lift"),
                                                       BACKTEST_MARTS)]


# ---------------------------------------------------------------- backtest charts

SCORE_DATE = date(2024, 3, 1)
# (tier, rank, customers, positives) per horizon; an older score date the report must not show.
BACKTEST_TIERS = {30: [("churn_risk", 1, 20, 2), ("disengaged", 2, 40, 10), ("somewhat_engaged", 3, 20, 10),
                       ("highly_engaged", 4, 12, 9), ("power_user", 5, 8, 7)],
                  60: [("churn_risk", 1, 20, 5), ("disengaged", 2, 40, 18), ("somewhat_engaged", 3, 20, 12),
                       ("highly_engaged", 4, 12, 10), ("power_user", 5, 8, 8)]}
DECILE_POSITIVES = [9, 7, 6, 5, 4, 3, 2, 1, 1, 0]  # 10 customers a decile, 38 positives as above


def backtest_rows() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Rows of the two marts, ratios to the 6 decimals the stand-ins store."""
    def q(value: Decimal) -> Decimal:
        return value.quantize(Decimal("0.000001"))

    tiers = []
    for score_date in (SCORE_DATE - timedelta(days=31), SCORE_DATE):
        for horizon, rows in BACKTEST_TIERS.items():
            base = Decimal(sum(p for *_, p in rows)) / sum(c for _, _, c, _ in rows)
            for tier, rank, customers, positives in rows:
                rate = Decimal(positives) / customers
                tiers.append({"score_date": score_date, "horizon_days": horizon, "engagement_tier": tier,
                              "tier_rank": rank, "customers": customers,
                              "share_of_customers": q(Decimal(customers) / 100), "positives": positives,
                              "outcome_rate": q(rate), "lift": q(rate / base)})
    deciles, captured = [], 0
    for decile, positives in enumerate(DECILE_POSITIVES, start=1):
        captured += positives
        deciles.append({"score_date": SCORE_DATE, "horizon_days": 30, "decile": decile, "customers": 10,
                        "min_score": Decimal(100 - 10 * decile), "max_score": Decimal(109 - 10 * decile),
                        "outcome_rate": q(Decimal(positives) / 10), "cumulative_capture": q(Decimal(captured) / 38)})
    return tiers, deciles


def literal_model(rows: Sequence[dict[str, Any]]) -> str:
    """A dbt model selecting the rows as literals (numbers as numeric, dates as dates)."""
    def literal(value: Any) -> str:
        if isinstance(value, date):
            return f"cast('{value.isoformat()}' as date)"
        if isinstance(value, Decimal):
            return f"cast({value:.6f} as {{{{ dbt.type_numeric() }}}})"
        return f"'{value}'" if isinstance(value, str) else str(value)
    return "\nunion all\n".join("select " + ", ".join(f"{literal(v)} as {c}" for c, v in row.items()) for row in rows)


def has_model(project: ProjectCopy, name: str) -> bool:
    return any(path.stem == name or path.stem.startswith(f"{name}_v")
               for path in (project.root / "models").rglob("*.sql"))


@pytest.mark.not_on_spark("a dbt build of two stand-in models (half a minute on Spark); the report's queries run "
                          "on Spark in the test above")
def test_report_shows_the_backtest_marts_once_built(crafted_build: Built, browser: Any, tmp_path: Path) -> None:
    project = crafted_build.project
    if all(has_model(project, m) for m in BACKTEST_MARTS):
        pytest.skip("the package builds its own backtest marts: the test above checks their charts")
    tiers, deciles = backtest_rows()
    folder = project.root / "models" / "report_test_backtest"
    folder.mkdir()
    try:
        for name, rows in zip(BACKTEST_MARTS, (tiers, deciles)):
            (folder / f"{name}.sql").write_text(literal_model(rows))
        result = project.build({}, "--select", *BACKTEST_MARTS, *DATA_ONLY)
        assert result.success, result.failed_nodes()
        page = OpenReport(browser, project, tmp_path)
    finally:
        shutil.rmtree(folder)
    page.assert_every_chart_drew(CHARTS + BACKTEST_CHARTS)
    assert page.notes() == []

    latest = [r for r in tiers if r["score_date"] == SCORE_DATE]
    bars = page.traces("backtest_tiers")
    assert [t["name"] for t in bars] == [report.horizon_name(h) for h in BACKTEST_TIERS]
    for trace, horizon in zip(bars, BACKTEST_TIERS):
        expected = [100 * r["outcome_rate"] for r in latest if r["horizon_days"] == horizon]
        assert all(close(a, e) for a, e in zip(trace["y"], expected, strict=True))

    lift, capture, _random = page.traces("backtest_deciles")
    base = Decimal(sum(DECILE_POSITIVES)) / 100
    assert all(close(a, r["outcome_rate"] / base) for a, r in zip(lift["y"], deciles, strict=True))
    assert all(close(a, 100 * r["cumulative_capture"]) for a, r in zip(capture["y"], deciles, strict=True))
    reading = page.page.locator("#backtest_deciles p.reading").inner_text()
    assert "2.4× as often as average" in reading and "24 % of all outcomes" in reading
