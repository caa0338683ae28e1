"""Tokens of the workout language, with their line and column, and its one error type.

See docs/workouts.md for the language. The lexer splits ``8x(400m @72s, 200m jog)`` into
numbers, clock times (``1:12``, ``4:30``), words (letters and inner hyphens), symbols
(``@ ( ) ; , : / < -``) and newlines; ``#`` starts a comment that runs to the end of the line.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from pacer.errors import WorkoutError

NUM = "NUM"
CLOCK = "CLOCK"
WORD = "WORD"
SYM = "SYM"
NL = "NL"
EOF = "EOF"

_TOKEN_RE = re.compile(
    r"""
    (?P<comment>\#[^\n]*)
  | (?P<nl>\r?\n)
  | (?P<space>[ \t\r\f\v]+)
  | (?P<clock>\d+:\d{1,2}(?::\d{1,2})?(?:\.\d+)?)
  | (?P<num>\d+(?:\.\d+)?|\.\d+)
  | (?P<word>[A-Za-z\u00d7]+(?:-[A-Za-z]+)*)
  | (?P<sym>[@();,:/<-])
    """,
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    text: str
    line: int  # 1-based
    col: int  # 1-based
    end_col: int  # column just after the token

    @property
    def lower(self) -> str:
        return self.text.lower().replace("\u00d7", "x")


#: half the characters of a source line shown under an error
_SHOWN = 40


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


class WorkoutSyntaxError(WorkoutError):
    """A workout text does not parse: ``SOURCE:LINE:COL: problem -- did you mean 'x'?``.

    The message's first line is the one-line error; the next two lines show the source
    line and a caret under the column. Attributes keep the parts for callers.
    """

    def __init__(
        self,
        source: str,
        line: int,
        col: int,
        problem: str,
        suggestion: str | None = None,
        line_text: str = "",
    ) -> None:
        source, problem = _cut(source, 200), _cut(problem, 200)
        if len(line_text) > 2 * _SHOWN:  # a window around the column, so the caret fits
            lo = max(0, min(col - 1 - _SHOWN, len(line_text) - 2 * _SHOWN))
            line_text = line_text[lo : lo + 2 * _SHOWN]
            col_shown = col - lo
        else:
            col_shown = col
        self.source = source
        self.line = line
        self.col = col
        self.problem = problem
        self.suggestion = suggestion
        self.line_text = line_text
        head = f"{source}:{line}:{col}: {problem}"
        if suggestion:
            head += f" -- did you mean '{suggestion}'?"
        self.one_line = head
        caret = ""
        if line_text.strip():
            caret = f"\n    {line_text}\n    {' ' * (col_shown - 1)}^"
        super().__init__(head + caret)


def suggest(word: str, vocabulary: Iterable[str]) -> str | None:
    """The closest word of ``vocabulary`` to ``word``, if any is close."""
    word = word.lower()
    vocab = sorted(set(vocabulary))
    cutoff = 0.5 if len(word) <= 4 else 0.6
    match = difflib.get_close_matches(word, vocab, n=1, cutoff=cutoff)
    if match:
        return match[0]
    prefixed = [v for v in vocab if len(word) >= 3 and (v.startswith(word) or word in v)]
    return prefixed[0] if prefixed else None


def tokenize(text: str, source: str = "<workout>") -> list[Token]:
    """Split ``text`` into tokens; an unknown character raises :class:`WorkoutSyntaxError`."""
    tokens: list[Token] = []
    lines = text.split("\n")
    line = 1
    line_start = 0
    pos = 0
    while pos < len(text):
        m = _TOKEN_RE.match(text, pos)
        col = pos - line_start + 1
        if m is None:
            ch = text[pos]
            hint = None
            if ch in "[{":
                hint = "("
            elif ch in "]}":
                hint = ")"
            elif ch == "'" or ch == '"':
                hint = "s" if ch == '"' else "min"
            raise WorkoutSyntaxError(
                source, line, col, f"unexpected character {ch!r}", hint, lines[line - 1]
            )
        kind = m.lastgroup
        end = m.end()
        if kind == "nl":
            tokens.append(Token(NL, "\\n", line, col, col + 1))
            line += 1
            line_start = end
        elif kind == "clock":
            tokens.append(Token(CLOCK, m.group(), line, col, col + end - pos))
        elif kind == "num":
            tokens.append(Token(NUM, m.group(), line, col, col + end - pos))
        elif kind == "word":
            tokens.append(Token(WORD, m.group(), line, col, col + end - pos))
        elif kind == "sym":
            tokens.append(Token(SYM, m.group(), line, col, col + 1))
        pos = end
    tokens.append(Token(EOF, "", line, len(text) - line_start + 1, len(text) - line_start + 1))
    return tokens


def clock_to_s(text: str) -> float:
    """``"1:12"`` -> 72.0, ``"1:02:03"`` -> 3723.0, ``"1:12.5"`` -> 72.5."""
    parts = [float(p) for p in text.split(":")]
    total = 0.0
    for p in parts:
        total = total * 60.0 + p
    return total
