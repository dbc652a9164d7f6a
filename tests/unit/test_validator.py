"""The validator catches planted hallucinations: wrong direction, invented numbers, unknown actions."""

from __future__ import annotations

import pytest

from kg_service.ai.offline_analyst import OfflineAnalyst
from kg_service.engine.analysis import (
    ActionOption,
    AnalysisContext,
    ConditionFact,
    DriverFact,
    RootCause,
    ThoughtAnalysis,
)
from kg_service.engine.validation import analyse, numbers_in_text, validate


def _context(sample_size: int = 5000, change: float = 42.5) -> AnalysisContext:
    return AnalysisContext(
        tenant="acme",
        thought_id="google_cpc_spike",
        thought_name="Google CPC Spike",
        description="Cost per click jumped",
        category="performance",
        trigger_metric_id="cpc_google_ads",
        trigger_metric_name="Cost Per Click",
        trigger_change_pct=change,
        conditions=(
            ConditionFact(
                metric_id="cpc_google_ads",
                metric_name="Cost Per Click",
                test="change >= 20%",
                observed=2.85,
                baseline=2.0,
                change_pct=change,
                window_start="2026-11-20",
                window_end="2026-11-26",
                holds=True,
            ),
        ),
        blast_radius=(),
        drivers=(
            DriverFact(
                metric_id="cpc_google_ads",
                component_id="spend_google_ads",
                before=1400.0,
                after=1680.0,
                change_pct=20.0,
                contribution=0.4,
                share_pct=47.06,
            ),
        ),
        top_campaigns=(),
        actions=(
            ActionOption(id="reduce_bids_high_cpc_keywords", name="Reduce bids", impact_level="medium"),
        ),
        sample_size=sample_size,
        data_as_of="2026-11-26",
    )


def _analysis(**changes: object) -> ThoughtAnalysis:
    base = ThoughtAnalysis(
        summary="Cost per click rose 42.5% to $2.85 from $2.00",
        root_cause=RootCause.INCREASED_COMPETITION,
        confidence=0.8,
        direction="up",
        recommended_actions=("reduce_bids_high_cpc_keywords",),
        mentioned_values=(42.5, 2.85, 2.0),
    )
    return base.model_copy(update=changes)


def test_a_faithful_analysis_passes_unchanged() -> None:
    checked = validate(_analysis(), _context())
    assert checked.analysis == _analysis() and checked.reasons == ()


def test_a_wrong_direction_is_rejected() -> None:
    checked = validate(_analysis(direction="down"), _context())
    assert checked.analysis is None
    assert "the data says up" in checked.reasons[0]


def test_an_invented_number_halves_confidence() -> None:
    checked = validate(_analysis(summary="Cost per click rose 57% to $2.85"), _context())
    assert checked.analysis is not None and checked.analysis.confidence == pytest.approx(0.4)
    assert any("57" in r for r in checked.reasons)
    invented = validate(_analysis(mentioned_values=(42.5, 3.1)), _context())
    assert invented.analysis is not None and invented.analysis.confidence == pytest.approx(0.4)


def test_an_unknown_action_is_dropped() -> None:
    checked = validate(
        _analysis(recommended_actions=("reduce_bids_high_cpc_keywords", "launch_rockets")), _context()
    )
    assert checked.analysis is not None
    assert checked.analysis.recommended_actions == ("reduce_bids_high_cpc_keywords",)
    assert checked.analysis.confidence < 0.8
    assert any("launch_rockets" in r for r in checked.reasons)


def test_confidence_is_capped_on_a_small_sample() -> None:
    checked = validate(_analysis(confidence=0.95), _context(sample_size=40))
    assert checked.analysis is not None and checked.analysis.confidence == 0.6


def test_rounded_numbers_trace_and_invented_ones_do_not() -> None:
    assert [v for v, _ in numbers_in_text("CPC up 42.5% ($2.85 vs $2.00) on 1,250 clicks; GA4 fine")] == [
        42.5,
        2.85,
        2.0,
        1250.0,
    ]
    ok = validate(_analysis(summary="Cost per click rose 43% (2.9 vs 2.0)", mentioned_values=()), _context())
    assert ok.analysis is not None and ok.reasons == ()
    off = validate(_analysis(summary="Cost per click rose 44%", mentioned_values=()), _context())
    assert off.reasons


class _Liar:
    name = "liar"

    async def analyze(self, context: AnalysisContext) -> ThoughtAnalysis:
        return _analysis(direction="down")


class _Broken:
    name = "broken"

    async def analyze(self, context: AnalysisContext) -> ThoughtAnalysis:
        raise TimeoutError("no answer")


async def test_a_rejected_or_failing_analyst_falls_back_to_the_offline_one_and_says_so() -> None:
    for analyst in (_Liar(), _Broken()):
        result = await analyse(analyst, OfflineAnalyst(), _context())
        assert result.analyst == "offline"
        assert result.note and "offline analysis stands in" in result.note
        assert result.reasons


async def test_the_offline_analyst_only_writes_numbers_from_the_data() -> None:
    result = await analyse(OfflineAnalyst(), OfflineAnalyst(), _context())
    assert result.analyst == "offline" and result.note is None and result.reasons == ()
    assert result.analysis.direction == "up"
    assert result.analysis.root_cause is RootCause.INCREASED_COMPETITION
    assert "42.5%" in result.analysis.summary
