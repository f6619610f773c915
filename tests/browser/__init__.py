"""Real-browser tests: Playwright drives Debian's chromium through the admin (see conftest.py)."""
