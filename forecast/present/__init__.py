"""Presentation layer, shared by every front end: labels in Chinese and English, number formats with
their units, and charts (matplotlib figures from frames, set in the bundled Chinese font).

The app, the command line and the exports all speak through it, so they say the same words and show
the same numbers the same way.

May import: ``forecast.runs`` and every layer below it.
"""
