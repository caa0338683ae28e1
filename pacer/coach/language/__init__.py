"""The workout language: lexer, parser, vocabulary, canonical format, built-in library
and the workout tree (pure: no IO)."""
