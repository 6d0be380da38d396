"""Runs layer: a monthly run, kept. The SQLite store (``store/``), the scheduled batch (``batch/``),
its model artifacts, and reading a run back (:mod:`forecast.runs.results`).

One roof for the three because they share one object, the run: the batch writes it, the store keeps it,
results reads it; none of them is used without the others.

May import: ``forecast.decisions``, ``forecast.engine``, ``forecast.data`` and this layer.
"""
