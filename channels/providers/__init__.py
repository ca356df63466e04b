"""The providers: one file each, one interface (base.py), one registry (registry.py)."""
