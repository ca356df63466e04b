"""Custom Rasa graph components for Persian (Farsi and Dari) NLU."""
