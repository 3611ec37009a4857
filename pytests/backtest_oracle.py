"""Independent pure-Python computation of the backtest marts (issue 25).

Written from the issue and the README's "Is the score any good?", never from the SQL, on top of
oracle.py: the score of a customer on a backtest date D is what the oracle scores for D. AUC is
the Mann-Whitney statistic with average ranks, in exact fractions; the tests also compare it with
scikit-learn's roc_auc_score.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

from oracle import Params, Row, Tier, Weight, customers_of, score_rows, stage, tier_of, weight_index

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Member:
    """One customer of a backtest date."""

    customer_id: str
    score: Decimal
    tier: Tier
    has_outcome: bool


@dataclass(frozen=True)
class Outcome:
    customer_id: str
    outcome_at: datetime | date | None


def kept_dates(listed: Sequence[date], score_date: date, horizon: int,
               history_start: date | None = None) -> list[date]:
    """The dates the backtest answers: outcome window over by the score date, not before the
    history's start."""
    return sorted({d for d in listed if d + timedelta(days=horizon) <= score_date
                   and (history_start is None or d >= history_start)})


def population(raw: Mapping[str, Sequence[Row] | None], weights: Sequence[Weight], tiers: Sequence[Tier],
               backtest_date: date, horizon: int, window_days: int, run_started_at: datetime,
               outcomes: Sequence[Outcome] | None = None) -> list[Member]:
    """Customers signed up by D (or without a sign-up date), their score on D and whether the
    outcome (any accepted event, or an outcome_at) fell on a day from D + 1 to D + horizon."""
    customers = customers_of(raw.get("customers") or [])
    params = Params(backtest_date, window_days, run_started_at)
    events = stage(raw, set(customers), params).events
    scores = {r["customer_id"]: r["engagement_score"]
              for r in score_rows(customers, events, weight_index(weights), params)}
    first, last = backtest_date + timedelta(days=1), backtest_date + timedelta(days=horizon)

    def day(value: datetime | date) -> date:
        return value.date() if isinstance(value, datetime) else value

    if outcomes is None:
        outcome_days = [(e.customer_id, e.occurred_at.date()) for e in events]
    else:
        outcome_days = [(o.customer_id.strip(), day(o.outcome_at)) for o in outcomes if o.outcome_at is not None]
    with_outcome = {cid for cid, d in outcome_days if first <= d <= last}
    members = []
    for cid, customer in customers.items():
        signed_up = customer["signed_up_at"]
        if signed_up is not None and signed_up.date() > backtest_date:
            continue
        score = scores[cid]
        members.append(Member(cid, score, tier_of(score, tiers), cid in with_outcome))
    return members


def ranking(member: Member, is_bad: bool) -> Decimal:
    return -member.score if is_bad else member.score


def mann_whitney_auc(scores: Sequence[Decimal], labels: Sequence[bool]) -> Fraction | None:
    """U / (positives × negatives), U from the positives' average ranks (ties share the mean of
    the ranks they span); None with one class only."""
    order = sorted(range(len(scores)), key=lambda i: scores[i])
    ranks: list[Fraction] = [Fraction(0)] * len(scores)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and scores[order[end + 1]] == scores[order[start]]:
            end += 1
        for position in range(start, end + 1):
            ranks[order[position]] = Fraction(start + 1 + end + 1, 2)
        start = end + 1
    positives = sum(labels)
    negatives = len(labels) - positives
    if positives == 0 or negatives == 0:
        return None
    rank_sum = sum((r for r, label in zip(ranks, labels) if label), Fraction(0))
    return (rank_sum - Fraction(positives * (positives + 1), 2)) / (positives * negatives)


def auc_null_reason(members: Sequence[Member]) -> str | None:
    positives = sum(m.has_outcome for m in members)
    if not members:
        return "no_customers"
    if positives == 0:
        return "no_positives"
    if positives == len(members):
        return "no_negatives"
    return None


def rate(positives: int, customers: int) -> Fraction | None:
    return Fraction(positives, customers) if customers else None


def lift(positives: int, customers: int, all_positives: int, all_customers: int) -> Fraction | None:
    if not customers or not all_positives:
        return None
    return Fraction(positives * all_customers, customers * all_positives)


def monotone(counts: Sequence[tuple[int, int]], min_customers: int, is_bad: bool) -> bool | None:
    """(customers, positives) per tier in rank order: does the rate never fall (never rise when
    the outcome is bad) among tiers with at least min_customers? None with fewer than two."""
    rates = [Fraction(p, c) for c, p in counts if c >= min_customers]
    if len(rates) < 2:
        return None
    pairs = list(zip(rates, rates[1:]))
    return all(b <= a for a, b in pairs) if is_bad else all(b >= a for a, b in pairs)


def tier_counts(members: Sequence[Member], tiers: Sequence[Tier],
                tier_of_member: Mapping[str, int] | None = None) -> list[tuple[Tier, int, int]]:
    """(tier, customers, positives) for every tier in rank order; members are put in the tier
    given by tier_of_member (customer id -> rank), else their own."""
    out = []
    for tier in sorted(tiers, key=lambda t: t.tier_rank):
        inside = [m for m in members
                  if (tier_of_member[m.customer_id] if tier_of_member else m.tier.tier_rank) == tier.tier_rank]
        out.append((tier, len(inside), sum(m.has_outcome for m in inside)))
    return out


def tier_rows(d: date, horizon: int, members: Sequence[Member], tiers: Sequence[Tier]) -> list[Row]:
    total, positives = len(members), sum(m.has_outcome for m in members)
    return [{
        "score_date": d, "horizon_days": horizon, "engagement_tier": tier.engagement_tier,
        "tier_rank": tier.tier_rank, "customers": customers,
        "share_of_customers": Fraction(customers, total) if total else None,
        "positives": tier_positives, "outcome_rate": rate(tier_positives, customers),
        "lift": lift(tier_positives, customers, positives, total),
    } for tier, customers, tier_positives in tier_counts(members, tiers)]


def decile_rows(d: date, horizon: int, members: Sequence[Member], is_bad: bool) -> list[Row]:
    """Decile of a customer: 1 + 10 × (customers ranked strictly above) // customers, so a tie
    group shares the decile of its first member."""
    n = len(members)
    if not n:
        return []
    all_positives = sum(m.has_outcome for m in members)
    by_decile: dict[int, list[Member]] = {}
    for m in members:
        above = sum(1 for other in members if ranking(other, is_bad) > ranking(m, is_bad))
        by_decile.setdefault(1 + (10 * above) // n, []).append(m)
    rows, captured = [], 0
    for decile in sorted(by_decile):
        inside = by_decile[decile]
        positives = sum(m.has_outcome for m in inside)
        captured += positives
        rows.append({
            "score_date": d, "horizon_days": horizon, "decile": decile, "customers": len(inside),
            "min_score": min(m.score for m in inside), "max_score": max(m.score for m in inside),
            "outcome_rate": rate(positives, len(inside)),
            "cumulative_capture": Fraction(captured, all_positives) if all_positives else None,
            "positives": positives, "lift": lift(positives, len(inside), all_positives, n),
        })
    return rows


def summary_row(d: date, horizon: int, outcome_name: str, members: Sequence[Member], tiers: Sequence[Tier],
                min_customers: int, is_bad: bool) -> Row:
    positives = sum(m.has_outcome for m in members)
    auc = mann_whitney_auc([ranking(m, is_bad) for m in members], [m.has_outcome for m in members])
    deciles = decile_rows(d, horizon, members, is_bad)
    counts = [(c, p) for _, c, p in tier_counts(members, tiers)]
    return {
        "score_date": d, "horizon_days": horizon, "outcome_name": outcome_name,
        "customers": len(members), "positives": positives,
        "base_rate": rate(positives, len(members)), "auc": auc,
        "top_decile_lift": deciles[0]["lift"] if deciles else None,
        "tiers_monotone": monotone(counts, min_customers, is_bad),
        "outcome_is_bad": is_bad, "auc_null_reason": auc_null_reason(members),
    }


def suggestion_rows(d: date, horizon: int, members: Sequence[Member], tiers: Sequence[Tier],
                    shares: Mapping[str, Decimal], min_customers: int, is_bad: bool) -> list[Row]:
    """Bounds cut by target shares of the customers above the lowest tier, which keeps its own."""
    ordered = sorted(tiers, key=lambda t: t.tier_rank)
    lowest, upper_tiers = ordered[0], ordered[1:]
    cut = sorted(m.score for m in members if m.tier.tier_rank != lowest.tier_rank)
    # Upper bounds of every tier but the highest; the lowest tier's stays.
    bounds: list[Decimal | None] = [lowest.max_score]
    if cut:
        cumulative = Fraction(0)
        for tier in upper_tiers[:-1]:
            cumulative += Fraction(shares[tier.engagement_tier])
            quantile = next(s for s in cut if Fraction(sum(1 for x in cut if x <= s), len(cut)) >= cumulative)
            previous = bounds[-1]
            bounds.append(quantile if previous is None or quantile >= previous + CENT else previous + CENT)
        suggested = [lowest] + [
            Tier(t.tier_rank, t.engagement_tier, t.tier_label,
                 t.min_score if i == 0 else bounds[i], t.min_inclusive if i == 0 else False,
                 bounds[i + 1] if i + 1 < len(upper_tiers) else None,
                 True if i + 1 < len(upper_tiers) else t.max_inclusive)
            for i, t in enumerate(upper_tiers)]
    else:
        suggested = list(ordered)
    placed = {m.customer_id: tier_of(m.score, suggested).tier_rank for m in members}
    total, positives = len(members), sum(m.has_outcome for m in members)
    current = tier_counts(members, tiers)
    proposed = tier_counts(members, tiers, placed)
    current_monotone = monotone([(c, p) for _, c, p in current], min_customers, is_bad)
    proposed_monotone = monotone([(c, p) for _, c, p in proposed], min_customers, is_bad)
    rows = []
    for tier, new, (_, cur_customers, cur_positives), (_, new_customers, new_positives) in zip(
            ordered, suggested, current, proposed):
        rows.append({
            "score_date": d, "horizon_days": horizon, "tier_rank": tier.tier_rank,
            "engagement_tier": tier.engagement_tier, "tier_label": tier.tier_label,
            "target_share": shares.get(tier.engagement_tier) if tier is not lowest else None,
            "suggested_min_score": new.min_score, "suggested_min_inclusive": bool(new.min_inclusive),
            "suggested_max_score": new.max_score, "suggested_max_inclusive": bool(new.max_inclusive),
            "suggested_customers": new_customers,
            "suggested_share_of_customers": Fraction(new_customers, total) if total else None,
            "suggested_outcome_rate": rate(new_positives, new_customers),
            "suggested_lift": lift(new_positives, new_customers, positives, total),
            "suggested_tiers_monotone": proposed_monotone,
            "current_min_score": tier.min_score, "current_min_inclusive": bool(tier.min_inclusive),
            "current_max_score": tier.max_score, "current_max_inclusive": bool(tier.max_inclusive),
            "current_customers": cur_customers,
            "current_share_of_customers": Fraction(cur_customers, total) if total else None,
            "current_outcome_rate": rate(cur_positives, cur_customers),
            "current_lift": lift(cur_positives, cur_customers, positives, total),
            "current_tiers_monotone": current_monotone,
        })
    return rows


DEFAULT_SHARES = {"disengaged": Decimal("0.4"), "somewhat_engaged": Decimal("0.3"), "highly_engaged": Decimal("0.2"),
                  "power_user": Decimal("0.1")}


def expected_backtest(raw: Mapping[str, Sequence[Row] | None], weights: Sequence[Weight], tiers: Sequence[Tier],
                      listed: Sequence[date], score_date: date, window_days: int, horizon: int,
                      run_started_at: datetime, outcome_name: str = "any_event",
                      outcomes: Sequence[Outcome] | None = None, is_bad: bool = False, min_customers: int = 30,
                      shares: Mapping[str, Decimal] = DEFAULT_SHARES,
                      ) -> tuple[dict[str, list[Row]], dict[date, list[Member]]]:
    """Expected rows of the four backtest marts, and the population of each kept date."""
    marts: dict[str, list[Row]] = {"engagement_backtest_summary": [], "engagement_backtest_tiers": [],
                                   "engagement_backtest_deciles": [], "engagement_tier_suggestions": []}
    populations = {}
    for d in kept_dates(listed, score_date, horizon):
        members = population(raw, weights, tiers, d, horizon, window_days, run_started_at, outcomes)
        populations[d] = members
        marts["engagement_backtest_summary"].append(
            summary_row(d, horizon, outcome_name, members, tiers, min_customers, is_bad))
        marts["engagement_backtest_tiers"] += tier_rows(d, horizon, members, tiers)
        marts["engagement_backtest_deciles"] += decile_rows(d, horizon, members, is_bad)
    if populations:
        latest = max(populations)
        marts["engagement_tier_suggestions"] = suggestion_rows(latest, horizon, populations[latest], tiers, shares,
                                                               min_customers, is_bad)
    return marts, populations
