"""Numbers and sentences the way a coach says them.

Rep times under 100 s are said in seconds with tenths ("71.8", "72", "16 flat"); longer
times and paces as minutes and seconds in words ("1:12" -> "one twelve", "4:05" -> "four oh five",
"5:00" -> "five flat"), because a speech engine reads "1:12" as "one colon twelve".
Deltas in tenths up to a second ("four tenths slow"), then seconds ("1.3 quick",
"12 seconds slow"). With ``spell=True`` every number is written in words, for engines
that read digits badly. :func:`spoken_words` counts the words a text takes to say, for
the cue policy's duration estimate.
"""

from __future__ import annotations

import re

from pacer.units import M_PER_MILE, s_per_km_to_s_per_mile

_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
         "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
         "seventeen", "eighteen", "nineteen"]  # fmt: skip
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def int_words(n: int) -> str:
    """0..999999 in words: ``71`` -> ``"seventy-one"``, ``400`` -> ``"four hundred"``."""
    if n < 0:
        return "minus " + int_words(-n)
    if n < 20:
        return _ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens] + ("-" + _ONES[ones] if ones else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return _ONES[hundreds] + " hundred" + (" " + int_words(rest) if rest else "")
    thousands, rest = divmod(n, 1000)
    return int_words(thousands) + " thousand" + (" " + int_words(rest) if rest else "")


def decimal_words(text: str) -> str:
    """``"71.8"`` -> ``"seventy-one point eight"``."""
    whole, _, frac = text.partition(".")
    words = int_words(int(whole or "0"))
    if frac:
        words += " point " + " ".join(_ONES[int(d)] for d in frac)
    return words


def clock_words(seconds: float) -> str:
    """Minutes and seconds as a coach says them: 72 -> "one twelve", 245 -> "four oh five"."""
    total = round(seconds)
    if total >= 3600:
        h, rest = divmod(total, 3600)
        m = rest // 60
        return f"{int_words(h)} hour{'s' if h > 1 else ''}" + (f" {int_words(m)}" if m else "")
    m, s = divmod(total, 60)
    if s == 0:
        return f"{int_words(m)} flat" if m else "zero"
    if s < 10:
        return f"{int_words(m)} oh {int_words(s)}"
    return f"{int_words(m)} {int_words(s)}"


def rep_time(seconds: float, spell: bool = False) -> str:
    """A rep or split time: under 100 s ``"71.8"``; otherwise ``"two twenty-four"``."""
    if seconds < 99.95:
        text = f"{seconds:.1f}"
        if text.endswith(".0"):  # "72"; under 20 s "16 flat" (not "sixteen point zero")
            text = text[:-2]
            words = int_words(int(text)) if spell else text
            return words if seconds >= 20 else f"{words} flat"
        return decimal_words(text) if spell else text
    return clock_words(seconds)


def whole_seconds(seconds: float, spell: bool = False) -> str:
    """A countdown-style whole number of seconds: ``"30"``."""
    n = round(seconds)
    return int_words(n) if spell else str(n)


def delta(seconds: float, spell: bool = False) -> str:
    """Difference from target, positive = slow: ``"four tenths slow"``, ``"on the money"``."""
    a = abs(seconds)
    side = "slow" if seconds > 0 else "quick"
    if a < 0.05:
        return "on the money"
    if a < 0.95:
        return f"{int_words(round(a * 10))} tenths {side}" if round(a * 10) != 1 \
            else f"one tenth {side}"  # fmt: skip
    if a < 9.95:
        text = f"{a:.1f}"
        if text.endswith(".0"):
            n = int(text[:-2])
            return f"{int_words(n) if spell else n} second{'s' if n > 1 else ''} {side}"
        return f"{decimal_words(text) if spell else text} {side}"
    n = round(a)
    if n >= 60:
        return f"{clock_words(n)} {side}"
    return f"{int_words(n) if spell else n} seconds {side}"


def pace(pace_s_per_km: float, miles: bool = False) -> str:
    """Pace per km (or per mile) in words: 270 -> ``"four thirty"``."""
    value = s_per_km_to_s_per_mile(pace_s_per_km) if miles else pace_s_per_km
    return clock_words(value)


def distance(distance_m: float, miles: bool = False, spell: bool = False) -> str:
    """A distance as said on the track: ``"200"``, ``"1 k"``, ``"1.5 k"``, ``"2 miles"``."""
    if miles and distance_m >= M_PER_MILE / 4 - 1:
        mi = distance_m / M_PER_MILE
        text = f"{mi:.2f}".rstrip("0").rstrip(".")
        if text == "0.5":
            return "half a mile"
        word = "mile" if text == "1" else "miles"
        return f"{decimal_words(text) if spell else text} {word}"
    if distance_m < 999.5:
        n = round(distance_m)
        return int_words(n) if spell else str(n)
    km = f"{distance_m / 1000:.1f}".rstrip("0").rstrip(".")
    return f"{decimal_words(km) if spell else km} k"


def duration(seconds: float, spell: bool = False) -> str:
    """A step length in time: ``"90 seconds"``, ``"2 minutes"``, ``"20 minutes"``."""
    s = round(seconds)
    if s % 60 == 0:
        m = s // 60
        return f"{int_words(m) if spell else m} minute{'s' if m != 1 else ''}"
    if s < 120:
        return f"{int_words(s) if spell else s} seconds"
    return clock_words(s)


def cadence(cadence_spm: float, spell: bool = False) -> str:
    n = round(cadence_spm)
    return int_words(n) if spell else str(n)


_NUMBER_RE = re.compile(r"\d+(?:\.\d+)?")


def spoken_words(text: str) -> int:
    """How many words ``text`` takes to say, numbers read out ("71.8" is four words)."""
    expanded = _NUMBER_RE.sub(lambda m: decimal_words(m.group()), text)
    return len(re.findall(r"[A-Za-z]+", expanded))


def speech_duration_s(text: str, rate_wpm: float) -> float:
    """Estimated time to say ``text`` at ``rate_wpm`` words per minute, plus a short pause.

    espeak-ng's rate is in words per minute of ordinary text; a number word is shorter
    than an average word, so numbers expanded to words slightly over-estimate -- the
    safe side for scheduling.
    """
    words = spoken_words(text)
    if words == 0:
        return 0.0
    return words * 60.0 / max(rate_wpm, 60.0) + 0.25
