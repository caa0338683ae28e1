"""Test helpers shared by the test files, imported as ``helpers.<module>`` (pyproject's
``pythonpath = ["tests"]`` puts ``tests/`` on ``sys.path``)."""
