"""Reviewing a session: the pure summary, text, JSON, plots, HTML report and comparison."""
