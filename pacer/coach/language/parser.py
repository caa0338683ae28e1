"""Recursive-descent parser of the workout language (grammar in docs/workouts.md).

::

    workout  := sep* item (sep+ item)* sep* EOF          sep := ';' | ',' | newline
    item     := repeat | until | step
    repeat   := NUM 'x' ( '(' items ')' | step )
    until    := 'until' quantity [':'] ( '(' items ')' | step )
    step     := part+ ['r' part+]                         (the 'r' part is a recovery step)
    part     := quantity | kindword | '@' target | '@' hrtarget | 'cadence' NUM ['spm']
              | 'metronome' | 'until' 'hr' '<' NUM ['bpm']
    quantity := NUM unit [NUM unit]* | CLOCK
    target   := NUM ['s'] | CLOCK ['/' ('km'|'mi')] | pacename
    hrtarget := 'hr' NUM '-' NUM ['bpm'] | 'z' NUM        (no space in 'z2')

A bare repeat (``N x step``) followed by ``,`` at the top level is refused as ambiguous
(``8x400m @72s, 200m jog``: the error suggests ``8x(400m @72s, 200m jog)``); ``;`` or a
newline after it is a step that runs once. A ``(`` left open is reported where it opens.

The token cursor is in :mod:`.cursor`, quantities, targets and cadence in
:mod:`.terminals`; this module has the structure (steps, repeats, blocks) and the
inference of step kinds.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from pacer.coach.language.lexer import CLOCK, EOF, NUM, WORD, Token, suggest
from pacer.coach.language.limits import MAX_NESTING, MAX_TEXT_CHARS, limit_problem
from pacer.coach.language.terminals import TerminalParser
from pacer.coach.language.vocabulary import (
    KIND_WORDS,
    MAX_PACE_S_PER_KM,
    MIN_PACE_S_PER_KM,
    MODIFIER_WORDS,
)
from pacer.coach.language.workout import (
    DEFAULT_NAMED_PACES_S_PER_KM,
    HrTarget,
    Repeat,
    Step,
    Target,
    Workout,
)
from pacer.errors import WorkoutError
from pacer.models import RepKind


@dataclass
class _Parts:
    kind: RepKind | None = None
    standing: bool = False
    label: str = ""
    inferable: bool = False
    distance_m: float | None = None
    duration_s: float | None = None
    target: Target | None = None
    target_tok: Token | None = None
    target_cadence_spm: float | None = None
    metronome: bool = False
    hr_target: HrTarget | None = None
    hr_tok: Token | None = None
    until_hr_below_bpm: float | None = None
    first: Token | None = None
    words: list[Token] = field(default_factory=list)


class _Parser(TerminalParser):
    def __init__(self, text: str, source: str, paces: dict[str, float]) -> None:
        super().__init__(text, source, paces)
        self.inferable: set[int] = set()  # id() of steps whose kind may be inferred
        self.depth = 0  # repeat blocks open at the cursor
        self.bare_repeat = False  # the last body parsed was a step, not '( )'
        self.body_start = 0  # token index where that body began

    # ------------------------------------------------------------------ grammar
    def parse(self) -> tuple[Step | Repeat, ...]:
        self.skip_separators()
        if self.tok.kind == EOF:
            raise self.error(self.tok, "empty workout: expected a step such as '400m @72s'")
        items = self.items(closing=None, opener=None)
        if self.tok.kind != EOF:
            raise self.error(self.tok, f"unexpected {self.describe(self.tok)}", None)
        return self.infer_top_level(items)

    def items(self, closing: str | None, opener: Token | None) -> list[Step | Repeat]:
        out: list[Step | Repeat] = []
        ambiguous: tuple[Token, Token, Token] | None = None  # repeat start, its end, ','
        while True:
            self.skip_separators()
            if self.tok.kind == EOF:
                if closing:
                    where = opener or self.tok  # the '(' left open, on its own line
                    raise self.error(where, "this '(' is never closed: missing ')'")
                return out
            if closing and self.is_sym(closing):
                if not out:
                    raise self.error(self.tok, "empty repeat: expected steps inside '( )'")
                return out
            if self.is_sym(")"):
                raise self.error(self.tok, "')' without a matching '('")
            first = self.tok
            self.bare_repeat = False
            out.extend(self.item())
            if ambiguous is not None:
                raise self.ambiguous_comma(*ambiguous, first)
            if closing is None and self.bare_repeat and self.is_sym(","):
                ambiguous = (first, self.toks[self.i - 1], self.tok)
            if not self.at_separator():
                raise self.error(
                    self.tok, f"expected ';' or ',' before {self.describe(self.tok)}", ";"
                )

    def ambiguous_comma(self, start: Token, end: Token, comma: Token, nxt: Token) -> Exception:
        """``8 x 400m @72s, 200m jog``: is the jog in the repeat or after it? Refused."""
        head = self.source_text(start, self.toks[self.body_start - 1])
        body = self.source_text(self.toks[self.body_start], end)
        after = self.source_text(nxt, self.toks[self.i - 1])
        head = head[:-2] + "x" if head.endswith(" x") else head
        both = f"{head}{'' if head.endswith('x') else ' '}({body}, {after})"
        return self.error(
            comma,
            f"ambiguous ',' after a repeat without brackets (to run '{after}' once after "
            "the repeat, write ';'; to repeat it too, bracket both)",
            both,
        )

    def source_text(self, first: Token, last: Token) -> str:
        """The workout text from ``first`` to ``last``, spaces tidied (``@ 72s`` -> ``@72s``)."""
        if first.line == last.line:
            text = self.lines[first.line - 1][first.col - 1 : last.end_col - 1]
        else:
            text = " ".join(t.text for t in self.toks[self.toks.index(first):
                                                      self.toks.index(last) + 1])  # fmt: skip
        return " ".join(text.split()).replace("@ ", "@").replace(" x ", "x")

    def item(self) -> list[Step | Repeat]:
        tok = self.tok
        if tok.kind == NUM and self.is_word("x", tok=self.peek()):
            return [self.repeat()]
        if tok.kind == NUM and self.peek().kind == WORD and self.peek().lower.startswith("x"):
            bad = self.peek()
            raise self.error(bad, f"unknown word {bad.text!r}; write a space or '(' after 'x'",
                             f"{tok.text}x {bad.text[1:]}")  # fmt: skip
        if self.is_word("until") and not self.is_word("hr", tok=self.peek()):
            return [self.until()]
        return self.step(in_repeat=False)

    def repeat(self) -> Repeat:
        count_tok = self.advance()
        if "." in count_tok.text or int(count_tok.text) < 1 or int(count_tok.text) > 200:
            raise self.error(
                count_tok, f"repeat count must be a whole number 1-200, got {count_tok.text}"
            )
        self.advance()  # 'x'
        return Repeat(count=int(count_tok.text), body=self.body())

    def until(self) -> Repeat:
        self.advance()
        q_tok = self.tok
        distance_m, duration_s = self.quantity()
        if distance_m is None and duration_s is None:
            raise self.error(q_tok, "'until' needs a time or distance, like 'until 30min:'")
        if self.is_sym(":"):
            self.advance()
        return Repeat(count=None, body=self.body(), until_s=duration_s, until_m=distance_m)

    def body(self) -> tuple[Step | Repeat, ...]:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise self.error(self.tok, f"repeats nested more than {MAX_NESTING} deep")
        if self.is_sym("("):
            opener = self.advance()
            inner = self.items(closing=")", opener=opener)
            self.advance()
            self.bare_repeat = False
        else:
            if self.at_separator():
                raise self.error(self.tok, "expected a step or '(' after the repeat")
            self.body_start = self.i
            inner = self.step(in_repeat=True)
            self.bare_repeat = True
        self.depth -= 1
        return tuple(self.infer_in_repeat(inner))

    def step(self, in_repeat: bool) -> list[Step | Repeat]:
        main = self.parts(allow_r=True)
        steps: list[Step | Repeat] = [self.build(main)]
        if self.is_word("r"):
            r_tok = self.advance()
            rec = self.parts(allow_r=False)
            rec.first = rec.first or r_tok
            if rec.kind is None:
                rec.kind = RepKind.RECOVERY
            if rec.distance_m is None and rec.duration_s is None:
                raise self.error(self.tok, "'r' needs a recovery time or distance, like 'r90s'")
            steps.append(self.build(rec))
        return steps

    def parts(self, allow_r: bool) -> _Parts:
        p = _Parts()
        first = True
        while not self.at_separator():
            tok = self.tok
            if first and self.is_word("r") and self.peek().kind in (NUM, CLOCK):
                self.advance()
                p.kind, p.first = RepKind.RECOVERY, tok
            elif tok.kind in (NUM, CLOCK):
                if p.distance_m is not None or p.duration_s is not None:
                    raise self.error(tok, "a step has one distance or one time")
                p.distance_m, p.duration_s = self.quantity()
            elif self.is_sym("@"):
                self.advance()
                self.at_target(p, tok)
            elif self.is_word("until") and self.is_word("hr", tok=self.peek()):
                self.advance()
                if p.until_hr_below_bpm is not None:
                    raise self.error(tok, "a step has one 'until hr'")
                p.until_hr_below_bpm = self.until_hr()
            elif self.is_word("cadence"):
                self.advance()
                p.target_cadence_spm = self.cadence()
            elif self.is_word("metronome"):
                self.advance()
                p.metronome = True
            elif self.is_word("r"):
                if allow_r:
                    break
                raise self.error(tok, "a step has one recovery")
            elif tok.kind == WORD and tok.lower in KIND_WORDS:
                self.advance()
                kind, standing, label, inferable = KIND_WORDS[tok.lower]
                if p.kind is not None and kind is not p.kind:
                    raise self.error(tok, f"'{tok.text}' contradicts '{p.words[-1].text}'")
                p.kind = kind
                p.standing = p.standing or standing
                p.label = p.label or label
                p.inferable = (p.inferable or not p.words) and inferable
                p.words.append(tok)
            elif tok.kind == WORD and tok.lower in ("spm", "bpm"):
                raise self.error(tok, "'spm' belongs after 'cadence N'", "cadence")
            elif tok.kind == WORD:
                vocab = list(KIND_WORDS) + list(MODIFIER_WORDS)
                raise self.error(tok, f"unknown word {tok.text!r}", suggest(tok.text, vocab))
            elif self.is_sym("("):
                raise self.error(tok, "'(' must follow a repeat count, like '8x('", "x(")
            else:
                raise self.error(tok, f"unexpected {self.describe(tok)}")
            if p.first is None:
                p.first = tok
            first = False
        if p.first is None:
            raise self.error(self.tok, f"expected a step before {self.describe(self.tok)}")
        return p

    def at_target(self, p: _Parts, at: Token) -> None:
        """After '@': a heart-rate target (one per step) or a pace target (one per step)."""
        hr_tok = self.tok
        hr = self.hr_target()
        if hr is not None:
            if p.hr_target is not None:
                raise self.error(hr_tok, "a step has one heart-rate target")
            p.hr_target, p.hr_tok = hr, hr_tok
            return
        if p.target is not None:
            raise self.error(at, "a step has one target")
        p.target_tok = self.tok
        p.target = self.target()

    # ------------------------------------------------------------------ building
    def build(self, p: _Parts) -> Step:
        assert p.first is not None
        kind = p.kind
        targeted = p.target is not None or p.hr_target is not None
        if kind is None:
            kind = RepKind.WORK if targeted else RepKind.STEADY
            if not targeted and p.until_hr_below_bpm is not None:
                kind = RepKind.RECOVERY  # 'until hr < 120' alone: a recovery
        if p.target is not None and p.target.rep_time_s is not None and p.distance_m is None:
            raise self.error(p.target_tok or p.first,
                             "a rep time needs a distance; for a timed step give a pace",
                             "@4:30/km")  # fmt: skip
        if p.target is not None and p.target.rep_time_s is not None and p.distance_m:
            pace = p.target.rep_time_s * 1000.0 / p.distance_m
            if not MIN_PACE_S_PER_KM <= pace <= MAX_PACE_S_PER_KM:
                raise self.error(
                    p.target_tok or p.first, "this rep time means a pace outside 1:30-20:00 per km"
                )
        if p.standing and targeted:
            raise self.error(p.target_tok or p.hr_tok or p.first,
                             "a standing recovery has no target")  # fmt: skip
        step = Step(
            kind=kind,
            distance_m=p.distance_m,
            duration_s=p.duration_s,
            target=p.target,
            target_cadence_spm=p.target_cadence_spm,
            metronome=p.metronome,
            standing=p.standing,
            label=p.label,
            hr_target=p.hr_target,
            until_hr_below_bpm=p.until_hr_below_bpm,
        )
        if step.is_open and kind in (RepKind.WORK, RepKind.STEADY) and not p.words:
            raise self.error(p.first, "a step needs a distance or a time", "400m")
        if p.inferable or (p.kind is None and not targeted and p.until_hr_below_bpm is None):
            self.inferable.add(id(step))
        return step

    def infer_in_repeat(self, items: list[Step | Repeat]) -> list[Step | Repeat]:
        """Untargeted, unnamed steps in a repeat: the first is work, later ones recovery."""
        out: list[Step | Repeat] = []
        for n, item in enumerate(items):
            if (isinstance(item, Step) and id(item) in self.inferable
                    and item.kind is RepKind.STEADY):
                item = replace(item, kind=RepKind.WORK if n == 0 else RepKind.RECOVERY)
            out.append(item)
        return out

    def infer_top_level(self, items: list[Step | Repeat]) -> tuple[Step | Repeat, ...]:
        """Top-level 'jog'/'easy' steps: warm-up before the first work, cool-down after."""
        has_work = [_has_work(item) for item in items]
        if not any(has_work):
            return tuple(items)
        first = has_work.index(True)
        last = len(items) - 1 - has_work[::-1].index(True)
        out: list[Step | Repeat] = []
        for n, item in enumerate(items):
            if (isinstance(item, Step) and id(item) in self.inferable
                    and item.kind is RepKind.RECOVERY):  # fmt: skip
                if n < first:
                    item = replace(item, kind=RepKind.WARMUP)
                elif n > last:
                    item = replace(item, kind=RepKind.COOLDOWN)
            out.append(item)
        return tuple(out)



def _has_work(item: Step | Repeat) -> bool:
    if isinstance(item, Step):
        return item.kind is RepKind.WORK
    return any(_has_work(i) for i in item.body)


def parse_workout(
    text: str,
    *,
    named_paces_s_per_km: dict[str, float] | None = None,
    source: str = "<workout>",
    name: str | None = None,
) -> Workout:
    """Parse workout text.

    Parameters
    ----------
    text
        One line (``2km jog; 8x(400m @72s, 200m jog); 2km jog``) or several, one step or
        block per line, ``#`` comments allowed.
    named_paces_s_per_km
        The runner's named paces (``{"5k": 238.0}``), overriding the defaults.
    source
        File name or ``<workout>``, used in error messages.
    name
        Name of the workout (default: the source, or the text itself when inline).

    Raises
    ------
    WorkoutSyntaxError
        (a :class:`pacer.errors.WorkoutError`) ``SOURCE:LINE:COL: problem -- did you mean
        'x'?`` followed by the source line and a caret.
    """
    if len(text) > MAX_TEXT_CHARS:
        raise WorkoutError(f"{source}: workout text of {len(text)} characters is longer than "
                           f"{MAX_TEXT_CHARS} characters")  # fmt: skip
    paces = dict(DEFAULT_NAMED_PACES_S_PER_KM)
    for key, value in (named_paces_s_per_km or {}).items():
        paces[key.lower()] = float(value)
    items = _Parser(text, source, paces).parse()
    problem = limit_problem(items)
    if problem is not None:
        raise WorkoutError(f"{source}: {problem}")
    if name is None:
        lines = [ln.split("#")[0].strip() for ln in text.splitlines()]
        compact = "; ".join(ln for ln in lines if ln)
        name = compact if source == "<workout>" else source
    return Workout(name=name, source_text=text, steps=items, named_paces_s_per_km=paces)
