"""Data layer (the lowest): what the official figures are and how they are read.

The catalogue of regions and indicators, the data contract (column names and one validator per frame),
the errors, file grids → table layouts → validated cells → observations, the targets table, the Spring
Festival calendar, year-to-date arithmetic and the period panel every model and decision works on.

May import: only other modules of ``forecast.data`` (and third-party libraries).
"""
