"""Tests of the corpus level (sourcetrace.corpus)."""
