"""Test helpers shared by the test files (imported as ``helpers.<module>``: ``tests/``
is on ``sys.path`` because ``tests/conftest.py`` lives there)."""
