"""Dagster wiring: definitions, resources, and (later) schedules, sensors and checks."""
