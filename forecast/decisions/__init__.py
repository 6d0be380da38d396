"""Decisions layer: pure functions of frames and sample paths that answer the analyst's questions.

Where a series stands in its year and the probability of meeting its target, the growth the rest of the
year needs, a province target split over the cities, contributions, reconciliation of cities and
province (MinT, the statistical discrepancy) and scenarios (spec, files, their effect on the paths).
No store, no Streamlit, no model fits.

May import: ``forecast.engine``, ``forecast.data`` and this layer.
"""
