"""The demo generator's clock and dice: days, seasons, holidays, noise and incident ramps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from numpy.typing import NDArray

from kg_service.warehouse.demo_profile import DemoProfile, Holidays, Incident, IncidentKind, Seasonality

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def black_friday(year: int) -> date:
    """The Friday after the fourth Thursday of November."""
    first = date(year, 11, 1)
    first_thursday = first + timedelta(days=(3 - first.weekday()) % 7)
    return first_thursday + timedelta(days=22)


class Calendar:
    """The series' days, oldest first, and the shapes every channel is built from."""

    def __init__(self, end: date, days: int) -> None:
        last = np.datetime64(end, "D")
        self.dates: NDArray[np.datetime64] = np.arange(last - (days - 1), last + 1, dtype="datetime64[D]")
        self.n = days
        self.end = end
        ordinal = self.dates.astype(np.int64)
        self.weekday: IntArray = (ordinal + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
        year_start = self.dates.astype("datetime64[Y]").astype("datetime64[D]")
        self.day_of_year: IntArray = (self.dates - year_start).astype(np.int64) + 1
        self.years_before_end: FloatArray = (ordinal - ordinal[-1]) / 365.25
        months = self.dates.astype("datetime64[M]")
        self.month: IntArray = (months - months[0]).astype(np.int64)
        next_month = (months + 1).astype("datetime64[D]")
        self.days_in_month: IntArray = (next_month - months.astype("datetime64[D]")).astype(np.int64)
        self.black_friday = self._after_black_friday(0)
        self.cyber_monday = self._after_black_friday(3)
        self.peak_weekend = self._after_black_friday(1) | self._after_black_friday(2)

    def _after_black_friday(self, days: int) -> NDArray[np.bool_]:
        first, last = self.end - timedelta(days=self.n - 1), self.end
        years = range(first.year, last.year + 1)
        marked = [np.datetime64(black_friday(year) + timedelta(days=days), "D") for year in years]
        return np.isin(self.dates, np.array(marked, dtype="datetime64[D]"))

    def weekly(self, factors: tuple[float, ...]) -> FloatArray:
        pattern = np.asarray(factors, dtype=np.float64)
        return np.asarray(pattern[self.weekday] / pattern.mean(), dtype=np.float64)

    def trend(self, growth_per_year: float) -> FloatArray:
        return np.asarray(np.power(1 + growth_per_year, self.years_before_end), dtype=np.float64)

    def season(self, shape: Seasonality) -> FloatArray:
        phase = 2 * np.pi * (self.day_of_year - shape.peak_day_of_year) / 365.25
        return np.asarray(1 + shape.strength * np.cos(phase), dtype=np.float64)

    def holiday_season(self) -> FloatArray:
        """0 outside Nov 1 - Dec 26, ramping to 1 between Nov 15 and Dec 20."""
        november = (self.dates.astype("datetime64[Y]").astype("datetime64[M]") + 10).astype("datetime64[D]")
        since = (self.dates - november).astype(np.float64)
        return np.asarray(np.minimum(np.clip(since / 14, 0, 1), np.clip((55 - since) / 6, 0, 1)), np.float64)

    def holidays(self, shape: Holidays) -> FloatArray:
        peaks = shape.black_friday * (self.black_friday + 0.5 * self.peak_weekend)
        return 1 + shape.season_lift * self.holiday_season() + peaks + shape.cyber_monday * self.cyber_monday

    def month_mean(self, values: FloatArray) -> FloatArray:
        totals = np.bincount(self.month, weights=values)
        counts = np.bincount(self.month)
        return (totals / counts)[self.month]

    def month_draw(self, rng: np.random.Generator, sigma: float) -> FloatArray:
        return rng.normal(1, sigma, int(self.month[-1]) + 1)[self.month]

    def day_index(self, day: date) -> int:
        return self.n - 1 - (self.end - day).days


@dataclass(frozen=True)
class Store:
    """What every channel shares: the profile, the calendar, the dice and the demand curves."""

    profile: DemoProfile
    calendar: Calendar
    rng: np.random.Generator

    @property
    def demand(self) -> FloatArray:
        """The store's demand level: growth × seasonality × holidays (1 = the profile's scale)."""
        cal, store = self.calendar, self.profile.store
        return cal.trend(store.growth_per_year) * cal.season(store.seasonality) * cal.holidays(store.holidays)

    @property
    def ad_level(self) -> FloatArray:
        """Paid budgets follow demand, but only part of the holiday peak."""
        cal, store = self.calendar, self.profile.store
        return cal.trend(store.growth_per_year) * cal.season(store.seasonality) * self.ad_holidays

    @property
    def ad_holidays(self) -> FloatArray:
        return 1 + 0.6 * (self.calendar.holidays(self.profile.store.holidays) - 1)

    @property
    def auction(self) -> FloatArray:
        """Auction prices (CPC, CPM) rise in the holiday season."""
        cal = self.calendar
        peak = cal.holiday_season() + cal.black_friday + cal.cyber_monday + cal.peak_weekend
        return 1 + self.profile.store.holidays.auction_lift * np.minimum(peak, 1.5)

    @property
    def conversion_lift(self) -> FloatArray:
        return 1 + 0.25 * (self.calendar.holidays(self.profile.store.holidays) - 1)

    def noise(self, shape: tuple[int, ...], scale: float = 1.0) -> FloatArray:
        """Multiplicative noise with mean 1 and the profile's spread × `scale`."""
        sigma = self.profile.store.noise * scale
        return self.rng.lognormal(-(sigma**2) / 2, sigma, shape)

    def effect(self, kind: IncidentKind, names: tuple[str, ...]) -> FloatArray:
        """Per name (rows) and day: the incidents of `kind` hitting it, ramped, × magnitude (0..1)."""
        result = np.zeros((len(names), self.calendar.n))
        for incident in self.profile.incidents:
            if incident.kind is kind:
                ramp = incident.magnitude * self._ramp(incident)
                for row, name in enumerate(names):
                    if not incident.campaigns or name in incident.campaigns:
                        result[row] = np.minimum(result[row] + ramp, 1)
        return result

    def _ramp(self, incident: Incident) -> FloatArray:
        length = incident.start_days_before_end
        if length > self.calendar.n:
            raise ValueError(f"incident {incident.id} starts {length} days back, before the first day")
        step = np.arange(1, length + 1, dtype=np.float64)
        ramp_days = {IncidentKind.CREATIVE_FATIGUE: length, IncidentKind.TRACKING_BREAK: 1}.get(
            incident.kind, 2
        )
        shape = np.zeros(self.calendar.n)
        shape[-length:] = np.minimum(step / ramp_days, 1)
        return shape
