"""Command-line front end: ``forecast`` (:func:`forecast.cli.main.main`) and its subcommands.

May import: ``forecast.export``, ``forecast.present`` and every layer below them; never ``forecast.app``.
"""
