from __future__ import annotations

import pytest

from kg_service.ai.speech import integer_words, number_words, spoken, spoken_change


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (0, "zero"),
        (7, "seven"),
        (15, "fifteen"),
        (42, "forty-two"),
        (100, "one hundred"),
        (1250, "one thousand two hundred fifty"),
        (2_000_003, "two million three"),
        (-8, "minus eight"),
    ],
)
def test_integers(n: int, words: str) -> None:
    assert integer_words(n) == words


def test_values_as_a_voice_reads_them() -> None:
    assert spoken(2.85, "currency") == "two dollars and eighty-five cents"
    assert spoken(1.0, "currency") == "one dollar"
    assert spoken(45_731.6, "currency") == "forty-five thousand seven hundred thirty-two dollars"
    assert spoken(42.5, "percentage") == "forty-two point five percent"
    assert spoken(1250, "count") == "one thousand two hundred fifty"
    assert spoken(3.14159, "ratio") == "three point one four"
    assert spoken_change(-12.34) == "down twelve point three percent"
    assert number_words(0.04, 1) == "zero"
