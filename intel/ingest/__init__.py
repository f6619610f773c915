"""Ingestion: a news article becomes tagged, sourced, reviewable records. Start at pipeline.py."""
