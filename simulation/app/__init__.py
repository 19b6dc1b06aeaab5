"""The what-if page (``make app``): a local web page over the library for analysts who do not code.

question.py turns the page's inputs into overrides of a scenario (validated as the CLI validates);
engine.py answers a question against the baseline on common random numbers, with a warm process
pool and cached baselines; page.py is the Panel page; ``python -m simulation.app`` serves it on
127.0.0.1. Nothing in the project imports this package (the top layer).
"""
