"""Prompts are plain functions of verified data; the model sees nothing else (§6.4 layer 1)."""

from __future__ import annotations

import json

from kg_service.engine.analysis import AnalysisContext

ANALYST_SYSTEM = (
    "You are a senior e-commerce marketing analyst. You explain a triggered insight using ONLY the "
    "data you are given: conditions with observed and baseline values, the blast radius, the driver "
    "decomposition and the campaigns that moved most. Never state a number that is not in the data; "
    "round only as a reader would. Choose the root cause from the allowed list (use `unknown` when the "
    "data does not support one), say which way the trigger metric moved, give a confidence between 0 and "
    "1 that reflects how strongly the data supports you, and recommend at most three actions, only from "
    "the allowed actions. Keep the summary under 200 characters. Record the answer with the tool."
)


def analysis_prompt(context: AnalysisContext) -> str:
    data = context.model_dump(mode="json", exclude={"tenant"})
    return (
        "Analyse this triggered insight. The JSON below is everything you know.\n\n"
        f"```json\n{json.dumps(data, indent=1, sort_keys=True)}\n```\n\n"
        "List every number you mention in `mentioned_values`, exactly as it appears in the data."
    )
