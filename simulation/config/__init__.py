"""Scenario format: typed scenario and distribution schemas, YAML loading, --set overrides, error messages."""
