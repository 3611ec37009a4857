"""The crafted dataset: one customer (or raw id) per edge case the contract names.

`crafted()` returns raw tables, weights and hand-written expectations for the interesting rows; the
expectations check the oracle itself (pure Python); the dbt build is checked against the oracle.
Score date 2024-03-31, window 30 days: 2024-03-02 .. 2024-03-31.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import count
from typing import Any

from oracle import Row, Weight

SCORE_DATE = date(2024, 3, 31)
WINDOW_DAYS = 30
IN_WINDOW = datetime(2024, 3, 15, 12, 0, 0)
FAR_FUTURE = datetime(2099, 1, 1, 0, 0, 0)
UNKNOWN = "ghost"  # never a customer


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def weights(*rows: tuple[str, str, str, int | None]) -> list[Weight]:
    return [Weight(c, t, Decimal(w), cap) for c, t, w, cap in rows]


CRAFTED_WEIGHTS = weights(
    ("web", "page_view", "1", None),
    ("web", "click", "0.01", None),
    ("web", "signup", "40", None),
    ("web", "hover", "0.005", None),
    ("app", "app_open", "2", 3),
    ("app", "app_install", "5", 1),
    ("app", "app_uninstall", "-10", None),
    ("social", "like", "0.5", None),
    ("social", "share", "3", 2),
    (" Social ", "Comment ", "1", None),  # the seed's keys are matched lower-cased, trimmed
    ("offline", "registration", "4", None),
    ("offline", "attendance", "10", None),
    ("survey", "nps_promoter", "5", None),
    ("survey", "nps_passive", "1", None),
    ("survey", "nps_detractor", "-5", None),
    ("survey", "csat_satisfied", "3", None),
    ("survey", "csat_neutral", "0", None),
    ("survey", "csat_unsatisfied", "-3", None),
    ("product", "invite_teammate", "8", None),
    ("product", "message_sent", "0.005", None),
    ("product", "message_deleted", "-0.005", None),
    ("product", "downvote", "-0.01", None),
    ("product", "tiny_loss", "-0.002", None),
)


@dataclass
class Dataset:
    """Raw tables under construction; every event helper returns its generated id."""

    tables: dict[str, list[Row]] = field(default_factory=lambda: {
        t: [] for t in ("customers", "web_events", "app_events", "social_interactions",
                        "offline_registrations", "survey_responses", "product_events")})
    expected_scores: dict[str, dict[str, Any]] = field(default_factory=dict)
    expected_rejections: dict[tuple[str, str], str] = field(default_factory=dict)
    _ids: count = field(default_factory=lambda: count(1))

    def _id(self, prefix: str, given: str | None) -> str:
        return given if given is not None else f"{prefix}{next(self._ids):04d}"

    def customer(self, cid: str | None, signed_up_at: datetime | None = datetime(2023, 1, 1),
                 plan: str = "paid", **expect: Any) -> str | None:
        self.tables["customers"].append({
            "customer_id": cid, "account_id": f"acct_{(cid or '').strip()}", "signed_up_at": signed_up_at,
            "plan": plan, "country": "NL", "persona": "analyst"})
        if expect:
            assert cid is not None
            self.expected_scores[cid.strip()] = expect
        return cid

    def web(self, cid: str | None, event_type: str | None, ts: datetime | None,
            event_id: str | None = None, page_url: str | None = "/home",
            anonymous_id: str | None = "anon", session_id: str | None = None) -> str | None:
        eid = None if event_id == "" else self._id("w", event_id)  # "": a null id
        self.tables["web_events"].append({
            "event_id": eid, "customer_id": cid, "anonymous_id": anonymous_id,
            "session_id": session_id,
            "event_type": event_type, "page_url": page_url, "occurred_at": ts})
        return eid

    def app(self, cid: str | None, event_type: str, ts: datetime | None,
            event_id: str | None = None, device_id: str = "dev") -> str:
        eid = self._id("a", event_id)
        self.tables["app_events"].append({
            "event_id": eid, "customer_id": cid, "device_id": device_id, "platform": "ios",
            "event_type": event_type, "occurred_at": ts})
        return eid

    def social(self, cid: str | None, kind: str | None, ts: datetime | None) -> str:
        iid = self._id("s", None)
        self.tables["social_interactions"].append({
            "interaction_id": iid, "customer_id": cid, "network": "x", "interaction_type": kind,
            "occurred_at": ts})
        return iid

    def offline(self, cid: str | None, registered_at: datetime | None, event_date: date | None,
                attended: bool | None, registration_id: str | None = None) -> str:
        rid = self._id("o", registration_id)
        self.tables["offline_registrations"].append({
            "registration_id": rid, "customer_id": cid, "event_name": "meetup",
            "event_date": event_date, "registered_at": registered_at, "attended": attended})
        return rid

    def survey(self, cid: str | None, survey_type: str | None, score: int | None,
               ts: datetime | None = IN_WINDOW, response_id: str | None = None) -> str:
        rid = self._id("v", response_id)
        self.tables["survey_responses"].append({
            "response_id": rid, "customer_id": cid, "survey_type": survey_type, "score": score,
            "responded_at": ts})
        return rid

    def product(self, cid: str | None, event_type: str, ts: datetime | None) -> str:
        eid = self._id("p", None)
        self.tables["product_events"].append({
            "event_id": eid, "customer_id": cid, "event_type": event_type, "occurred_at": ts})
        return eid

    def rejected(self, table: str, source_id: str | None, reason: str) -> None:
        """A rejected raw row, by its id (customers: a rejected row without an id has none)."""
        assert source_id is not None or table == "customers"
        self.expected_rejections[(table, source_id)] = reason


def _day(n: int, hour: int = 12) -> datetime:
    """n-th day of March 2024 at the given hour."""
    return datetime(2024, 3, n, hour)


def add_formula(d: Dataset) -> None:
    """Weights x counts, daily caps (one day and across midnight), negative weights, zero."""
    d.customer("zero_activity", engagement_score=Decimal("0.00"), event_count=0, active_days=0,
               last_event_at=None, engagement_tier="disengaged")
    d.customer("wxc", engagement_score=Decimal("13.00"), web_score=Decimal("3.00"),
               social_score=Decimal("2.00"), product_score=Decimal("8.00"), event_count=7)
    for n in (3, 4, 5):
        d.web("wxc", "page_view", _day(n))
    d.social("wxc", "like", _day(6))
    d.social("wxc", "like", _day(6))
    d.social("wxc", "comment", _day(7))
    d.product("wxc", "invite_teammate", _day(8))

    d.customer("cap_one_day", app_score=Decimal("6.00"), event_count=5, active_days=1)
    for hour in range(5):
        d.app("cap_one_day", "app_open", _day(10, hour))
    d.customer("cap_two_days", app_score=Decimal("12.00"), event_count=8, active_days=2)
    for ts in ("2024-03-10 09:00:00", "2024-03-10 10:00:00", "2024-03-10 11:00:00",
               "2024-03-10 23:59:59", "2024-03-11 00:00:00", "2024-03-11 01:00:00",
               "2024-03-11 02:00:00", "2024-03-11 03:00:00"):
        d.app("cap_two_days", "app_open", at(ts))
    d.customer("cap_install", app_score=Decimal("10.00"), event_count=3)
    d.app("cap_install", "app_install", _day(12, 8))
    d.app("cap_install", "app_install", _day(12, 9))
    d.app("cap_install", "app_install", _day(13, 9))
    d.customer("cap_share", social_score=Decimal("6.00"), event_count=3)
    for hour in (1, 2, 3):
        d.social("cap_share", "share", _day(14, hour))

    d.customer("neg_uninstall", engagement_score=Decimal("-10.00"), engagement_tier="churn_risk")
    d.app("neg_uninstall", "app_uninstall", _day(20))
    d.customer("neg_mixed", engagement_score=Decimal("-10.00"), app_score=Decimal("-5.00"),
               survey_score=Decimal("-5.00"))
    d.app("neg_mixed", "app_install", _day(21))
    d.app("neg_mixed", "app_uninstall", _day(22))
    d.survey("neg_mixed", "nps", 3, _day(22))


def add_window_edges(d: Dataset) -> None:
    """First/last day of the window, the days outside it, 23:59:59 and 00:00:00."""
    d.customer("win_first", engagement_score=Decimal("1.00"), event_count=1, active_days=1,
               last_event_at=at("2024-03-02 00:00:00"))
    d.web("win_first", "page_view", at("2024-03-02 00:00:00"))
    d.customer("win_before", engagement_score=Decimal("0.00"), event_count=0, active_days=0,
               last_event_at=at("2024-03-01 23:59:59"))
    d.web("win_before", "page_view", at("2024-03-01 23:59:59"))
    d.customer("win_last", engagement_score=Decimal("1.00"), event_count=1,
               last_event_at=at("2024-03-31 23:59:59"))
    d.web("win_last", "page_view", at("2024-03-31 23:59:59"))
    d.customer("win_after", engagement_score=Decimal("1.00"), event_count=1,
               last_event_at=at("2024-03-20 10:00:00"))
    d.web("win_after", "page_view", at("2024-04-01 00:00:00"))
    d.web("win_after", "page_view", at("2024-03-20 10:00:00"))
    d.web("win_after", "page_view", at("2024-04-05 10:00:00"))
    d.customer("win_old", engagement_score=Decimal("0.00"), event_count=0,
               last_event_at=at("2023-12-01 08:00:00"))
    d.web("win_old", "page_view", at("2023-12-01 08:00:00"))


def add_tier_boundaries(d: Dataset) -> None:
    """Scores -0.01, -0.004 (rounds to 0), 40, 40.01, 70, 70.01, 100, 100.01, half cents."""
    def boundary(cid: str, score: str, tier: str, signups: int, page_views: int, clicks: int
                 ) -> None:
        d.customer(cid, engagement_score=Decimal(score), engagement_tier=tier)
        for _ in range(signups):
            d.web(cid, "signup", _day(2, 8))
        for n in range(page_views):
            d.web(cid, "page_view", _day(2 + n, 9))
        for _ in range(clicks):
            d.web(cid, "click", _day(31, 10))

    boundary("tier_40", "40.00", "disengaged", 1, 0, 0)
    boundary("tier_40_01", "40.01", "somewhat_engaged", 1, 0, 1)
    boundary("tier_70", "70.00", "somewhat_engaged", 1, 30, 0)
    boundary("tier_70_01", "70.01", "highly_engaged", 1, 30, 1)
    boundary("tier_100", "100.00", "highly_engaged", 2, 20, 0)
    boundary("tier_100_01", "100.01", "power_user", 2, 20, 1)
    d.customer("tier_m0_01", engagement_score=Decimal("-0.01"), engagement_tier="churn_risk")
    d.product("tier_m0_01", "downvote", _day(9))
    d.customer("tier_m0_004", engagement_score=Decimal("0.00"), engagement_tier="disengaged")
    d.product("tier_m0_004", "tiny_loss", _day(9))
    d.product("tier_m0_004", "tiny_loss", _day(9))
    d.customer("half_up", engagement_score=Decimal("0.02"), product_score=Decimal("0.02"))
    for _ in range(3):
        d.product("half_up", "message_sent", _day(10))
    d.customer("half_down", engagement_score=Decimal("-0.02"), engagement_tier="churn_risk")
    for _ in range(3):
        d.product("half_down", "message_deleted", _day(10))
    # Parts are rounded on their own: 0.005 + 0.005 = 0.01, but each part rounds to 0.01.
    d.customer("parts", engagement_score=Decimal("0.01"), web_score=Decimal("0.01"),
               product_score=Decimal("0.01"))
    d.web("parts", "hover", _day(11))
    d.product("parts", "message_sent", _day(11))
    d.customer("parts_neg", engagement_score=Decimal("0.00"), web_score=Decimal("0.01"),
               product_score=Decimal("-0.01"))
    d.web("parts_neg", "hover", _day(11))
    d.product("parts_neg", "message_deleted", _day(11))


def add_rejections(d: Dataset, run_started_at: datetime) -> None:
    """Every reason, in precedence order, on every table; web anonymous rows; blank ids."""
    d.customer("rej_c", engagement_score=Decimal("0.00"), event_count=0, last_event_at=None)
    d.customer(" pad_c ", engagement_score=Decimal("1.00"))
    d.web("pad_c", "page_view", _day(5))  # customers row is padded, the event is not
    d.customer("pad_ev", engagement_score=Decimal("1.00"))
    d.web("  pad_ev ", "page_view", _day(5))  # the event's id is padded
    d.customer("   ")  # a blank customer id is not a customer, but a rejected customers row
    d.rejected("customers", None, "missing_customer_id")
    # A blank event id is no id: these rows of two customers are three events, none lost.
    d.customer("blank_id_a", event_count=2)
    d.app("blank_id_a", "app_open", _day(6, 8), event_id="")
    d.app("blank_id_a", "app_open", _day(6, 9), event_id="   ")
    d.customer("blank_id_b", event_count=1)
    d.app("blank_id_b", "app_open", _day(6, 8), event_id="")
    web = [
        (None, IN_WINDOW, "anonymous"), (" ", IN_WINDOW, "anonymous"),
        ("", IN_WINDOW, "anonymous"), (None, None, "anonymous"),
        ("rej_c", None, "missing_timestamp"), ("rej_c", FAR_FUTURE, "future_timestamp"),
        (UNKNOWN, FAR_FUTURE, "future_timestamp"), (UNKNOWN, None, "missing_timestamp"),
        (UNKNOWN, IN_WINDOW, "unknown_customer"), ("   ", FAR_FUTURE, "anonymous"),
        ("rej_c", run_started_at + timedelta(days=1, hours=2), "future_timestamp"),
    ]
    for cid, ts, reason in web:
        d.rejected("web_events", d.web(cid, "page_view", ts), reason)
    d.web("rej_c", "page_view", run_started_at + timedelta(days=1, hours=-2))  # accepted
    for cid, ts, reason in [(None, IN_WINDOW, "missing_customer_id"),
                            ("   ", IN_WINDOW, "missing_customer_id"),
                            (" ", None, "missing_customer_id"),
                            (UNKNOWN, IN_WINDOW, "unknown_customer")]:
        d.rejected("app_events", d.app(cid, "app_open", ts), reason)
    for cid, ts, reason in [("rej_c", None, "missing_timestamp"),
                            (UNKNOWN, FAR_FUTURE, "future_timestamp"),
                            ("", None, "missing_customer_id")]:
        d.rejected("social_interactions", d.social(cid, "like", ts), reason)
    for cid, ts, reason in [(UNKNOWN, _day(15), "unknown_customer"),
                            ("rej_c", None, "missing_timestamp"),
                            (" ", _day(15), "missing_customer_id"),
                            ("rej_c", FAR_FUTURE, "future_timestamp")]:
        d.rejected("offline_registrations", d.offline(cid, ts, date(2024, 3, 16), True), reason)
    survey: list[tuple[str | None, str | None, int | None, datetime | None, str]] = [
        ("rej_c", "nps", 11, IN_WINDOW, "invalid_value"),
        ("rej_c", "nps", -1, IN_WINDOW, "invalid_value"),
        ("rej_c", "csat", 0, IN_WINDOW, "invalid_value"),
        ("rej_c", "csat", 6, IN_WINDOW, "invalid_value"),
        ("rej_c", "nps", None, IN_WINDOW, "invalid_value"),
        ("rej_c", "ces", 3, IN_WINDOW, "invalid_value"),
        ("rej_c", None, 5, IN_WINDOW, "invalid_value"),
        ("rej_c", " ", 5, IN_WINDOW, "invalid_value"),
        (UNKNOWN, "nps", 11, IN_WINDOW, "unknown_customer"),
        (None, "ces", 3, IN_WINDOW, "missing_customer_id"),
        ("rej_c", "nps", 11, None, "missing_timestamp"),
        ("rej_c", "ces", 3, FAR_FUTURE, "future_timestamp"),
    ]
    for cid, kind, score, ts, reason in survey:
        d.rejected("survey_responses", d.survey(cid, kind, score, ts), reason)
    d.rejected("product_events", d.product(UNKNOWN, "invite_teammate", IN_WINDOW),
               "unknown_customer")
    d.rejected("product_events", d.product(None, "invite_teammate", None), "missing_customer_id")


def add_bad_values(d: Dataset, run_started_at: datetime) -> None:
    """Values that are present but cannot be events: a missing or blank event type, loaders' zero
    times (before engagement_min_event_date, default 1970-01-01), attendance on a day that cannot
    have happened yet; customers rows without an id."""
    d.customer("bad_val_c", engagement_score=Decimal("2.00"), event_count=1)
    d.app("bad_val_c", "app_open", _day(3))
    for table, source_id in [
        ("web_events", d.web("bad_val_c", None, _day(3))),
        ("web_events", d.web("bad_val_c", "   ", _day(3))),
        ("social_interactions", d.social("bad_val_c", None, _day(3))),
        ("social_interactions", d.social("bad_val_c", " ", _day(3))),
        ("app_events", d.app("bad_val_c", "app_open", at("1901-01-01 00:00:00"))),
        ("app_events", d.app("bad_val_c", "app_open", at("1969-12-31 23:59:59"))),
        ("product_events", d.product("bad_val_c", "invite_teammate", at("1900-01-01 00:00:00"))),
        ("offline_registrations", d.offline("bad_val_c", at("1900-01-01 10:00:00"), date(2024, 3, 5), True)),
        ("survey_responses", d.survey("bad_val_c", "nps", 9, at("1960-06-01 10:00:00"))),
    ]:
        d.rejected(table, source_id, "invalid_value")
    # The contract's order still holds: an unknown customer before a bad value.
    d.rejected("app_events", d.app(UNKNOWN, "app_open", at("1901-01-01 00:00:00")), "unknown_customer")
    d.rejected("web_events", d.web("bad_val_c", None, FAR_FUTURE), "future_timestamp")
    # A registration counts; its attendance only on a day from 1970-01-01 to the run's day.
    d.customer("att_plausible", offline_score=Decimal("12.00"), event_count=3)
    d.offline("att_plausible", _day(4), run_started_at.date() + timedelta(days=3), True)
    d.offline("att_plausible", _day(4), date(1900, 1, 1), True)
    d.offline("att_plausible", _day(4), run_started_at.date(), True)
    # Customers rows without an id: each distinct one is a rejected row, an exact copy a duplicate.
    d.customer(None, plan="ghost_plan")
    d.customer(None, plan="ghost_plan")
    d.customer("", plan="other_plan")


def add_surveys(d: Dataset) -> None:
    """Every nps/csat bucket at both ends; ' NPS ' and 'Csat' normalise."""
    d.customer("survey_all", survey_score=Decimal("2.00"), event_count=11)
    for kind, score in [("nps", 10), ("nps", 9), ("nps", 8), ("nps", 7), ("nps", 6), ("nps", 0),
                        ("csat", 5), ("csat", 4), ("csat", 3), ("csat", 2), ("csat", 1)]:
        d.survey("survey_all", kind, score, _day(4))
    d.customer("survey_norm", survey_score=Decimal("8.00"))
    d.survey("survey_norm", " NPS ", 9, _day(4))
    d.survey("survey_norm", "Csat", 4, _day(4))


def add_offline(d: Dataset) -> None:
    """attended true/false/null/no date; attendance inside or outside the window."""
    d.customer("off_true", offline_score=Decimal("14.00"), event_count=2, active_days=2,
               last_event_at=at("2024-03-12 00:00:00"))
    d.offline("off_true", _day(10, 9), date(2024, 3, 12), True)
    d.customer("off_false", offline_score=Decimal("4.00"), event_count=1)
    d.offline("off_false", _day(10, 9), date(2024, 3, 12), False)
    d.customer("off_null", offline_score=Decimal("4.00"), event_count=1)
    d.offline("off_null", _day(10, 9), date(2024, 3, 12), None)
    d.customer("off_nodate", offline_score=Decimal("4.00"), event_count=1)
    d.offline("off_nodate", _day(10, 9), None, True)
    d.customer("off_same_day", offline_score=Decimal("14.00"), event_count=2, active_days=1)
    d.offline("off_same_day", _day(5, 10), date(2024, 3, 5), True)
    d.customer("off_attend_in", offline_score=Decimal("10.00"), event_count=1,
               last_event_at=at("2024-03-02 00:00:00"))
    d.offline("off_attend_in", at("2024-02-20 10:00:00"), date(2024, 3, 2), True)
    d.customer("off_attend_after", offline_score=Decimal("4.00"), event_count=1,
               last_event_at=at("2024-03-20 10:00:00"))
    d.offline("off_attend_after", at("2024-03-20 10:00:00"), date(2024, 4, 2), True)


def add_duplicates(d: Dataset) -> None:
    """Exact copies, same id with different content (which copy is kept), null ids, customers."""
    d.customer("dup_c1", engagement_score=Decimal("2.00"), event_count=2)
    d.web("dup_c1", "page_view", _day(20), event_id="dup_exact")
    d.web("dup_c1", "page_view", _day(20), event_id="dup_exact")
    for _ in range(3):
        d.web("dup_c1", "page_view", _day(21), event_id="dup_triple")
    d.customer("dup_c2", engagement_score=Decimal("0.00"), event_count=0)
    d.customer("dup_c3", engagement_score=Decimal("1.00"), event_count=1)
    d.web("dup_c2", "page_view", _day(20), event_id="dup_ts")
    d.web("dup_c3", "page_view", _day(10), event_id="dup_ts")  # earliest: kept
    d.customer("dup_c4", engagement_score=Decimal("40.00"))
    d.web("dup_c4", "signup", None, event_id="dup_nullts")
    d.web("dup_c4", "signup", _day(11), event_id="dup_nullts")  # a timestamp beats null
    d.customer("dup_c5", app_score=Decimal("2.00"))
    d.app("dup_c5", "app_install", _day(12, 10), event_id="dup_tie", device_id="dev_b")
    d.app("dup_c5", "app_open", _day(12, 10), event_id="dup_tie", device_id="dev_a")  # kept
    d.customer("dup_c6", engagement_score=Decimal("0.00"), event_count=0)
    d.web(UNKNOWN, "page_view", _day(5), event_id="dup_rej")  # earliest: kept, rejected
    d.web("dup_c6", "page_view", _day(6), event_id="dup_rej")
    d.rejected("web_events", "dup_rej", "unknown_customer")
    d.customer("dup_c7", offline_score=Decimal("4.00"), event_count=1)
    d.offline("dup_c7", _day(8, 10), date(2024, 3, 9), True, registration_id="dup_off")
    d.offline("dup_c7", _day(8, 10), date(2024, 3, 9), False, registration_id="dup_off")  # kept
    d.customer("dup_c8", survey_score=Decimal("-5.00"))
    d.survey("dup_c8", "nps", 10, _day(15), response_id="dup_sv")
    d.survey("dup_c8", "nps", 0, _day(14), response_id="dup_sv")  # kept
    # Null ids: two identical rows are one; a differing null-id row is its own row.
    d.customer("nullid_c", engagement_score=Decimal("2.00"), event_count=2)
    d.web("nullid_c", "page_view", _day(21), event_id="")
    d.web("nullid_c", "page_view", _day(21), event_id="")
    d.web("nullid_c", "page_view", _day(22), event_id="")
    # Customers: earliest signed_up_at wins, nulls last.
    d.customer("cust_dup", signed_up_at=datetime(2023, 1, 5), plan="paid")
    d.customer("cust_dup", signed_up_at=datetime(2023, 1, 1), plan="trial")
    d.expected_scores["cust_dup"] = {"plan": "trial", "account_id": "acct_cust_dup"}
    d.customer("cust_dup_null", signed_up_at=None, plan="paid")
    d.customer("cust_dup_null", signed_up_at=datetime(2023, 2, 1), plan="free")
    d.expected_scores["cust_dup_null"] = {"plan": "free"}


def add_unweighted(d: Dataset) -> None:
    """Types without a weight row score 0 but count; listed with all-time counts."""
    d.customer("unw_c", engagement_score=Decimal("0.00"), event_count=3)
    d.web("unw_c", "scroll", _day(3))
    d.web("unw_c", "scroll", _day(4))
    d.product("unw_c", "export_report", _day(4))
    d.customer("unw_c2", engagement_score=Decimal("0.00"), event_count=0)
    d.web("unw_c2", "scroll", at("2023-06-01 10:00:00"))
    d.app("unw_c2", " Crash ", at("2024-04-10 10:00:00"))
    d.customer("norm_c", engagement_score=Decimal("8.00"))
    d.product("norm_c", " Invite_Teammate ", _day(6))


EXPECTED_UNWEIGHTED = {("web", "scroll"): (3, 2), ("product", "export_report"): (1, 1),
                       ("app", "crash"): (1, 1)}


def null_id_lookalikes() -> Dataset:
    """Null-id rows that differ in a column, though their text renderings look alike: four rows,
    none a copy of another (decisions: a null-id row is a copy only when every column is equal)."""
    d = Dataset()
    d.customer("nullid_lookalike", engagement_score=Decimal("4.00"), event_count=4)
    d.web("nullid_lookalike", "page_view", _day(23), event_id="", page_url=None)
    d.web("nullid_lookalike", "page_view", _day(23), event_id="", page_url="<null>")
    d.web("nullid_lookalike", "page_view", _day(24), event_id="", anonymous_id="a|b",
          session_id="c")
    d.web("nullid_lookalike", "page_view", _day(24), event_id="", anonymous_id="a",
          session_id="b|c")
    return d


# A score date in the first days that count by default (engagement_min_event_date 1970-01-01).
EPOCH_SCORE_DATE = date(1970, 1, 30)


def min_event_date_edges(run_started_at: datetime) -> Dataset:
    """Around engagement_min_event_date (default 1970-01-01): the last second before it is an
    invalid value, its first second counts; attendance on 1969-12-31 does not. Scored on
    EPOCH_SCORE_DATE, so the events that count are in the window."""
    d = Dataset()
    d.customer("epoch_c", engagement_score=Decimal("20.00"), event_count=4)
    d.app("epoch_c", "app_open", at("1970-01-01 00:00:00"))
    d.rejected("app_events", d.app("epoch_c", "app_open", at("1969-12-31 23:59:59")), "invalid_value")
    d.offline("epoch_c", at("1970-01-02 10:00:00"), date(1969, 12, 31), True)
    d.offline("epoch_c", at("1970-01-02 10:00:00"), date(1970, 1, 1), True)
    return d


def text_values(run_started_at: datetime) -> Dataset:
    """Raw rows as a loader that lands every column as text writes them (the test loads every
    table with text columns): readable text counts as its value, other text is an invalid value
    whose rejection_detail names the column and the value, and nothing stops the build."""
    d = Dataset()
    d.customer("txt_c", signed_up_at="2023-01-01 00:00:00", engagement_score=Decimal("35.00"),  # type: ignore[arg-type]
               event_count=8)
    d.customer("txt_blank_signup", signed_up_at="  ")  # type: ignore[arg-type]
    d.customer("txt_bad_signup", signed_up_at="garbage")  # type: ignore[arg-type]
    d.rejected("customers", "txt_bad_signup", "invalid_value")
    d.rejected("web_events", d.web("txt_bad_signup", "page_view", _day(15)), "unknown_customer")
    for text in ("2024-03-15 12:00:00", "2024-03-16T08:30:00"):
        d.web("txt_c", "page_view", text)  # type: ignore[arg-type]
    for text in ("not a date", "2024-02-30 10:00:00", "2024-03-15 25:00:00"):
        d.rejected("web_events", d.web("txt_c", "page_view", text), "invalid_value")  # type: ignore[arg-type]
    d.rejected("web_events", d.web("txt_c", "page_view", "   "), "missing_timestamp")  # type: ignore[arg-type]
    d.app("txt_c", "app_open", "2024-03-17")  # type: ignore[arg-type]
    d.rejected("social_interactions", d.social("txt_c", "like", "yesterday"), "invalid_value")  # type: ignore[arg-type]
    d.product("txt_c", "invite_teammate", "2024-03-19 09:00:00.123456")  # type: ignore[arg-type]
    d.survey("txt_c", "nps", " 9 ", _day(20))  # type: ignore[arg-type]
    for score in ("ten", "9.5", ""):
        d.rejected("survey_responses", d.survey("txt_c", "nps", score, _day(20)), "invalid_value")  # type: ignore[arg-type]
    d.offline("txt_c", _day(18, 9), "2024-03-18", "yes")  # type: ignore[arg-type]
    d.offline("txt_c", _day(18, 9), "2024-03-18", "false")  # type: ignore[arg-type]
    d.rejected("offline_registrations", d.offline("txt_c", _day(18, 9), "someday", True), "invalid_value")  # type: ignore[arg-type]
    d.rejected("offline_registrations", d.offline("txt_c", _day(18, 9), date(2024, 3, 18), "maybe"), "invalid_value")  # type: ignore[arg-type]
    return d


def zero_times(run_started_at: datetime) -> Dataset:
    """Loaders' zero times: 0001-01-01 and 1900-01-01 are timestamps, but before
    engagement_min_event_date; they are invalid values and start no history."""
    d = Dataset()
    d.customer("zero_c", engagement_score=Decimal("2.00"), event_count=1)
    d.app("zero_c", "app_open", _day(20))
    for table, source_id in [("app_events", d.app("zero_c", "app_open", at("0001-01-01 00:00:00"))),
                             ("web_events", d.web("zero_c", "page_view", at("1900-01-01 00:00:00"))),
                             ("offline_registrations", d.offline("zero_c", at("0001-01-01 00:00:00"), date(1, 1, 1), True))]:
        d.rejected(table, source_id, "invalid_value")
    return d


def crafted(run_started_at: datetime) -> Dataset:
    d = Dataset()
    for add in (add_formula, add_window_edges, add_tier_boundaries, add_surveys, add_offline,
                add_duplicates, add_unweighted):
        add(d)
    add_rejections(d, run_started_at)
    add_bad_values(d, run_started_at)
    return d
