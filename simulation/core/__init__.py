"""The simulation engine: calendar, compiled scenario, client-life rules, random streams, event vocabulary,
plek pools, the SimPy engine and the numpy cohort. Imports nothing from the layers above it."""
