"""The terminals of a workout step: a distance or time, a target after ``@``, a cadence.

Each method reads from the current token on and returns the value in SI units, or raises
a :class:`~pacer.coach.language.lexer.WorkoutSyntaxError` pointing at the token.
"""

from __future__ import annotations

from pacer.coach.language.cursor import TokenCursor
from pacer.coach.language.lexer import CLOCK, NUM, WORD, Token, clock_to_s, suggest
from pacer.coach.language.vocabulary import (
    DISTANCE_UNITS_M,
    KIND_WORDS,
    MAX_DISTANCE_M,
    MAX_DURATION_S,
    MAX_PACE_S_PER_KM,
    MIN_PACE_S_PER_KM,
    MODIFIER_WORDS,
    TIME_UNITS_S,
)
from pacer.coach.language.workout import (
    MAX_HR_BPM,
    MAX_HR_ZONE,
    MIN_HR_BPM,
    HrTarget,
    Target,
)
from pacer.units import M_PER_MILE


class TerminalParser(TokenCursor):
    """Quantities, targets and cadence; ``paces`` are the named paces in s/km."""

    def __init__(self, text: str, source: str, paces: dict[str, float]) -> None:
        super().__init__(text, source)
        self.paces = paces


    def quantity(self) -> tuple[float | None, float | None]:
        """NUM unit [NUM unit]* or CLOCK -> (distance_m, duration_s)."""
        tok = self.tok
        if tok.kind == CLOCK:
            self.advance()
            return None, self.clock(tok)
        if tok.kind != NUM:
            raise self.error(tok, f"expected a distance or time, got {self.describe(tok)}")
        distance_m = 0.0
        duration_s = 0.0
        last_time_unit = None
        while self.tok.kind == NUM:
            num_tok = self.advance()
            unit_tok = self.tok
            value = float(num_tok.text)
            if unit_tok.kind != WORD or unit_tok.lower not in DISTANCE_UNITS_M | TIME_UNITS_S:
                known_word = unit_tok.lower in KIND_WORDS or unit_tok.lower in MODIFIER_WORDS
                if unit_tok.kind == WORD and not known_word:
                    hint = suggest(unit_tok.text, list(DISTANCE_UNITS_M) + list(TIME_UNITS_S))
                    raise self.error(unit_tok, f"unknown unit {unit_tok.text!r}",
                                     f"{num_tok.text}{hint}" if hint else None)  # fmt: skip
                hint = f"{num_tok.text}m" if value >= 50 else f"{num_tok.text}min"
                raise self.error(num_tok, f"the number {num_tok.text} needs a unit", hint)
            self.advance()
            unit = unit_tok.lower
            if unit in DISTANCE_UNITS_M:
                if duration_s or distance_m:
                    raise self.error(unit_tok, "a step has one distance or one time")
                distance_m = value * DISTANCE_UNITS_M[unit]
                if not 0 < distance_m <= MAX_DISTANCE_M:
                    raise self.error(num_tok, "distance must be more than 0 and at most 100 km")
                return distance_m, None
            scale = TIME_UNITS_S[unit]
            if last_time_unit is not None and scale >= last_time_unit:
                raise self.error(unit_tok, "write a time as '1min30s' or '1:30'", None)
            last_time_unit = scale
            duration_s += value * scale
            if not (self.tok.kind == NUM and self.tok.col == unit_tok.end_col):
                break  # '1min30s' continues only without a space
        if not 0 < duration_s <= MAX_DURATION_S:
            raise self.error(tok, "time must be more than 0 and at most 24 h")
        return None, duration_s

    def clock(self, tok: Token) -> float:
        fields = tok.text.split(":")
        if any(float(f) >= 60 for f in fields[1:]):
            raise self.error(tok, f"bad time {tok.text!r}: seconds and minutes go up to 59")
        value = clock_to_s(tok.text)
        if not 0 < value <= MAX_DURATION_S:
            raise self.error(tok, "time must be more than 0 and at most 24 h")
        return value

    def target(self) -> Target:
        tok = self.tok
        if tok.kind == NUM and self.peek().kind == WORD and self.peek().col == tok.end_col:
            unit = self.peek()
            if unit.lower in ("s", "sec", "secs", "seconds"):
                self.advance()
                self.advance()
                return self.rep_time(tok, float(tok.text))
            return self.named(tok, tok.text + unit.lower, unit)
        if tok.kind == NUM:
            self.advance()
            if self.is_sym("/"):
                raise self.error(tok, "write a pace as minutes:seconds, like '@4:30/km'",
                                 self.pace_suggestion(tok.text))  # fmt: skip
            return self.rep_time(tok, float(tok.text))
        if tok.kind == CLOCK:
            self.advance()
            value = self.clock(tok)
            if self.is_sym("/"):
                self.advance()
                unit = self.tok
                if unit.kind == WORD and unit.lower in ("km", "k", "kilometer", "kilometre"):
                    self.advance()
                    return self.pace(tok, value, per_mile=False)
                if unit.kind == WORD and unit.lower in ("mi", "mile"):
                    self.advance()
                    return self.pace(tok, value, per_mile=True)
                hint = suggest(unit.text, ["km", "mi"]) if unit.kind == WORD else "km"
                raise self.error(unit, "a pace is per 'km' or per 'mi'", hint)
            return self.rep_time(tok, value)
        if tok.kind == WORD:
            return self.named(tok, tok.lower, tok)
        raise self.error(tok, "expected a target after '@': a rep time '72s', a pace '4:30/km' "
                              "or a named pace '5k'")  # fmt: skip

    def pace_suggestion(self, number: str) -> str:
        """A pace that parses for ``@N/km``: ``N:00``, ``4:30`` for ``430``, ``6:00`` for
        ``60`` -- the first within 1:30-20:00 per km -- else the example ``4:30``."""
        unit = self.peek()
        per_mile = unit.kind == WORD and unit.lower in ("mi", "mile")
        scale = 1000.0 / M_PER_MILE if per_mile else 1.0
        candidates = []
        if "." not in number:
            n = int(number)
            candidates = [(n, 0), (n // 100, n % 100), (n // 10, 0)]
        for minutes, seconds in candidates:
            if seconds < 60 and MIN_PACE_S_PER_KM <= (60 * minutes + seconds) * scale <= (
                    MAX_PACE_S_PER_KM):  # fmt: skip
                return f"@{minutes}:{seconds:02d}/{'mi' if per_mile else 'km'}"
        return "@7:15/mi" if per_mile else "@4:30/km"

    def named(self, tok: Token, name: str, last: Token) -> Target:
        if name not in self.paces:
            raise self.error(tok, f"unknown named pace {name!r}", suggest(name, self.paces))
        self.i = self.toks.index(last, self.i) + 1
        return Target(pace_s_per_km=float(self.paces[name]), name=name)

    def rep_time(self, tok: Token, value_s: float) -> Target:
        if not 0 < value_s <= MAX_DURATION_S:
            raise self.error(tok, "a rep time must be more than 0 s")
        return Target(rep_time_s=value_s)

    def pace(self, tok: Token, value_s: float, per_mile: bool) -> Target:
        pace = value_s * 1000.0 / M_PER_MILE if per_mile else value_s
        if not MIN_PACE_S_PER_KM <= pace <= MAX_PACE_S_PER_KM:
            raise self.error(tok, "pace must be between 1:30 and 20:00 per km")
        return Target(pace_s_per_km=pace, per_mile=per_mile)

    def hr_target(self) -> HrTarget | None:
        """``hr LOW-HIGH [bpm]`` or ``zN`` after '@'; None when the target is not heart rate."""
        tok = self.tok
        if self.is_word("hr", "heart-rate"):
            self.advance()
            lo_tok = self.tok
            if lo_tok.kind != NUM:
                raise self.error(lo_tok, "a heart-rate target is a range in bpm",
                                 "@hr 150-160")  # fmt: skip
            self.advance()
            if not self.is_sym("-"):
                raise self.error(self.tok, "a heart-rate target is a range: low-high bpm",
                                 f"@hr {lo_tok.text}-{int(float(lo_tok.text)) + 10}")  # fmt: skip
            self.advance()
            hi_tok = self.tok
            if hi_tok.kind != NUM:
                raise self.error(hi_tok, "expected the range's high bpm after '-'")
            self.advance()
            low, high = self.bpm(lo_tok), self.bpm(hi_tok)
            if low >= high:
                raise self.error(lo_tok, "a heart-rate range goes from low to high",
                                 f"@hr {hi_tok.text}-{lo_tok.text}")  # fmt: skip
            if self.is_word("bpm"):
                self.advance()
            return HrTarget(low_bpm=low, high_bpm=high)
        nxt = self.peek()
        if self.is_word("z", "zone") and nxt.kind == NUM:
            self.advance()
            self.advance()
            if "." in nxt.text or not 1 <= int(nxt.text) <= MAX_HR_ZONE:
                raise self.error(nxt, f"heart-rate zones are 1-{MAX_HR_ZONE}, got {nxt.text}",
                                 f"@z{MAX_HR_ZONE}" if tok.kind == WORD else None)  # fmt: skip
            return HrTarget(zone=int(nxt.text))
        return None

    def until_hr(self) -> float:
        """``hr < N [bpm]`` after 'until': the heart rate under which the step ends."""
        self.advance()  # 'hr'
        if not self.is_sym("<"):
            raise self.error(self.tok, "write the heart-rate end as 'until hr < 120'",
                             "until hr < 120")  # fmt: skip
        self.advance()
        tok = self.tok
        if tok.kind != NUM:
            raise self.error(tok, "expected a heart rate in bpm after '<'", "until hr < 120")
        self.advance()
        value = self.bpm(tok)
        if self.is_word("bpm"):
            self.advance()
        return value

    def bpm(self, tok: Token) -> float:
        value = float(tok.text)
        if not MIN_HR_BPM <= value <= MAX_HR_BPM:
            raise self.error(tok, f"heart rate must be {MIN_HR_BPM:.0f}-{MAX_HR_BPM:.0f} bpm, "
                                  f"got {tok.text}")  # fmt: skip
        return value

    def cadence(self) -> float:
        tok = self.tok
        if tok.kind != NUM:
            raise self.error(tok, "expected steps per minute after 'cadence', like 'cadence 178'")
        self.advance()
        value = float(tok.text)
        if not 100 <= value <= 240:
            raise self.error(tok, "cadence must be 100-240 steps per minute")
        if self.is_word("spm"):
            self.advance()
        return value
