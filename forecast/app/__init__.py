"""App front end: what the Streamlit pages use (``app.py`` at the top level is the thin script).

Pure tables for each page (overview, series, scenarios), what the app reads and writes, and the pages
that wire widgets to them.

May import: ``forecast.export``, ``forecast.present`` and every layer below them; never ``forecast.cli``.
"""
