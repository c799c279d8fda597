"""The benchmark: builds a county or a province of synthetic data and measures the real code
paths on it (``python manage.py bench``, ``make bench``; see the README's Benchmark section)."""
