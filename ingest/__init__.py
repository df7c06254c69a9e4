"""Extractors that bring sources into the warehouse's `raw` database, and the sample-data generator."""
