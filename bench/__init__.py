"""Connect Admin performance harness: ``python -m bench --help``."""
