"""From an event log (or realised records) to tables, KPIs and statistics."""
