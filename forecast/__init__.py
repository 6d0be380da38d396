"""troika: forecasts and what-if scenarios for Liaoning's three carriages, per city, against targets.

The public API is imported lazily (so ``forecast --help`` and the app start fast); every name below is
documented in the module that defines it.

Examples
--------
>>> import forecast
>>> obs = forecast.load_bundled()
>>> len(obs), obs["region"].nunique(), obs["indicator"].nunique()
(9750, 15, 5)
>>> fc = forecast.forecast_series([1.0, 2.0, 3.0] * 8, h=6, season_length=3)
>>> fc.mean.round(1)
array([1., 2., 3., 1., 2., 3.])
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    # errors and contract
    "DataError": "forecast.errors",
    "NotFittedError": "forecast.errors",
    "ModelError": "forecast.errors",
    "StoreError": "forecast.errors",
    "Problem": "forecast.errors",
    "validate_observations": "forecast.schema",
    # catalogue
    "REGIONS": "forecast.catalog",
    "INDICATORS": "forecast.catalog",
    "CITIES": "forecast.catalog",
    "CARRIAGES": "forecast.catalog",
    "region_code": "forecast.catalog",
    "indicator_code": "forecast.catalog",
    # data in
    "read_table": "forecast.io",
    "read_tables": "forecast.io",
    "load_bundled": "forecast.io",
    "load_targets": "forecast.target_table",
    "resolve_data_path": "forecast.io",
    "DATA_DIR": "forecast.io",
    # YTD arithmetic and calendar
    "ytd_to_flows": "forecast.ytd",
    "flows_to_ytd": "forecast.ytd",
    "comparable_base": "forecast.ytd",
    "chained_index": "forecast.ytd",
    "build_panel": "forecast.panel",
    "series_flows": "forecast.panel",
    "season_of": "forecast.ytd",
    "season_periods": "forecast.ytd",
    "spring_festival_dates": "forecast.calendar",
    "spring_festival_regressors": "forecast.calendar",
    # store
    "Store": "forecast.store",
    # engine
    "MODELS": "forecast.models",
    "forecast_series": "forecast.engine",
    "forecast_panel": "forecast.panel_forecast",
    "forecast_many": "forecast.panel_forecast",
    "backtest": "forecast.evaluation",
    # decisions
    "required_growth": "forecast.targets",
    "evaluate_targets": "forecast.targets",
    "full_year_base": "forecast.targets",
    "full_year_growth_paths": "forecast.targets",
    "remaining_bases": "forecast.targets",
    "ytd_position": "forecast.targets",
    "invert_province_target": "forecast.inversion",
    "contributions": "forecast.breakdown",
    "carriage_shares": "forecast.breakdown",
    # ``forecast.reconcile`` is the module; its function is exported under a name that cannot collide
    "reconcile_forecasts": "forecast.reconcile:reconcile",
    "Scenario": "forecast.scenarios",
    "Adjustment": "forecast.scenarios",
    "load_scenario": "forecast.scenarios",
    "apply_scenario": "forecast.scenarios",
    "save_scenario": "forecast.scenarios",
    "compare_scenarios": "forecast.scenarios",
    "list_scenarios": "forecast.scenarios",
    # runs, plots
    "load_latest_run": "forecast.results",
    "RunResult": "forecast.results",
    "run_batch": "forecast.batch",
    "BatchSettings": "forecast.batch",
    "export_meeting_pack": "forecast.export",
    "load_run": "forecast.results",
    "list_runs": "forecast.results",
    "fan_chart": "forecast.plots",
    "plot_fan": "forecast.plots",
    "figure_png": "forecast.plots",
    "PathSet": "forecast.reconcile",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    target = _EXPORTS.get(name)
    if target is None:
        raise AttributeError(f"module 'forecast' has no attribute {name!r}")
    module, _, attr = target.partition(":")
    value = getattr(importlib.import_module(module), attr or name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
