"""Uploading finished sessions to the runner's tools (intervals.icu so far).

:mod:`~pacer.sync.queue` (the upload queue with retry and backoff, a JSON file in the
state directory), :mod:`~pacer.sync.intervals` (intervals.icu's activity upload with an
API key), :mod:`~pacer.sync.run` (upload what is due). Reference: docs/web.md, "Sync".
"""
