"""Benchmarks at national scale: a synthetic municipality on SQLite and PostgreSQL,
driven through the real Application and the Telegram stand-in.

Run `python -m bench --help`. Nothing here is part of the test run; the figures are
printed, not asserted.
"""
