"""A cursor over the tokens of one workout text, and its error helper (for the parser).

The parser's three layers each add to the one before: this cursor (where we are, what the
token is, an error pointing at a token), :mod:`.terminals` (quantities, targets, cadence)
and :mod:`.parser` (the grammar of steps, repeats and blocks, and the inference of step
kinds).
"""

from __future__ import annotations

from pacer.coach.language.lexer import EOF, NL, SYM, WORD, Token, WorkoutSyntaxError, tokenize
from pacer.coach.language.vocabulary import SEPARATORS


class TokenCursor:
    """The tokens of ``text`` and the index of the current one."""

    def __init__(self, text: str, source: str) -> None:
        self.text = text
        self.source = source
        self.lines = text.split("\n")
        self.toks = tokenize(text, source)
        self.i = 0

    @property
    def tok(self) -> Token:
        return self.toks[self.i]

    def peek(self, k: int = 1) -> Token:
        return self.toks[min(self.i + k, len(self.toks) - 1)]

    def advance(self) -> Token:
        t = self.toks[self.i]
        self.i += 1
        return t

    def error(self, tok: Token, problem: str, suggestion: str | None = None) -> WorkoutSyntaxError:
        line_text = self.lines[tok.line - 1] if tok.line - 1 < len(self.lines) else ""
        return WorkoutSyntaxError(self.source, tok.line, tok.col, problem, suggestion, line_text)

    def is_sym(self, s: str, tok: Token | None = None) -> bool:
        t = tok or self.tok
        return t.kind == SYM and t.text == s

    def is_word(self, *words: str, tok: Token | None = None) -> bool:
        t = tok or self.tok
        return t.kind == WORD and t.lower in words

    def at_separator(self) -> bool:
        t = self.tok
        return t.kind in (NL, EOF) or (t.kind == SYM and t.text in SEPARATORS | {")"})

    def skip_separators(self) -> None:
        while self.tok.kind == NL or (self.tok.kind == SYM and self.tok.text in SEPARATORS):
            self.advance()

    @staticmethod
    def describe(tok: Token) -> str:
        if tok.kind == EOF:
            return "end of workout"
        if tok.kind == NL:
            return "end of line"
        return repr(tok.text)
