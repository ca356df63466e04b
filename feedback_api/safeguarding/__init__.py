"""Safeguarding: disclosure triage (triage.py) and data retention (retention.py)."""
