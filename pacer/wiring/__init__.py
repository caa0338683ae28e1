"""Assembling a coached session from its parts for sim, replay and live runs."""
