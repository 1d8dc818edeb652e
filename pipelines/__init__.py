"""The experiments: each composed from textclf parts and runnable with ``python -m``."""
