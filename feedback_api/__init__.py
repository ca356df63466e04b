"""Feedback API: cases, the contact vault, handoff, the operator console and the dashboard."""
