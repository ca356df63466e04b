"""Evaluation of the NLU model on the held-out test split."""
