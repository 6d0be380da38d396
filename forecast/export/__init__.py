"""Export front end: the Excel meeting pack (:mod:`forecast.export.pack`), in Chinese or English.

May import: ``forecast.present`` and every layer below it.
"""
