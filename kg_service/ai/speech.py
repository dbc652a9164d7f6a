"""Numbers as a voice reads them: "$2.85" → "two dollars and eighty-five cents"."""

from __future__ import annotations

_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_SCALES = ((1_000_000_000, "billion"), (1_000_000, "million"), (1_000, "thousand"))


def integer_words(n: int) -> str:
    if n < 0:
        return "minus " + integer_words(-n)
    if n < 20:
        return _ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return f"{_ONES[hundreds]} hundred" + (f" {integer_words(rest)}" if rest else "")
    for size, name in _SCALES:
        if n >= size:
            head, rest = divmod(n, size)
            return f"{integer_words(head)} {name}" + (f" {integer_words(rest)}" if rest else "")
    raise AssertionError("unreachable")


def number_words(value: float, decimals: int = 1) -> str:
    """A number rounded to `decimals` places, in words ("forty-two point five")."""
    rounded = round(abs(value), decimals)
    whole = int(rounded)
    text = integer_words(whole)
    fraction = f"{rounded:.{decimals}f}".split(".")[1].rstrip("0") if decimals else ""
    if fraction:
        text += " point " + " ".join(_ONES[int(d)] for d in fraction)
    return ("minus " if value < 0 and rounded else "") + text


def written(value: float | None, unit: str | None = None) -> str:
    """How a value of a metric with `unit` is written: "$2.85", "42.50%", "1,250", "3.10"."""
    if value is None:
        return "no value"
    if unit == "currency":
        return f"${value:,.2f}" if abs(value) < 10_000 else f"${value:,.0f}"
    if unit == "percentage":
        return f"{value:.2f}%"
    if unit == "count":
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def spoken(value: float, unit: str) -> str:
    """How a briefing says a value of a metric with `unit`."""
    if unit == "currency":
        if abs(value) >= 1000:
            return f"{integer_words(round(value))} dollars"
        dollars, cents = divmod(round(abs(value) * 100), 100)
        sign = "minus " if value < 0 else ""
        text = f"{sign}{integer_words(dollars)} dollar{'s' if dollars != 1 else ''}"
        return text + (f" and {integer_words(cents)} cents" if cents else "")
    if unit == "percentage":
        return f"{number_words(value, 1)} percent"
    if unit == "count":
        return integer_words(round(value))
    return number_words(value, 2)


def spoken_change(change_pct: float) -> str:
    direction = "up" if change_pct > 0 else "down"
    return f"{direction} {number_words(abs(change_pct), 1)} percent"
