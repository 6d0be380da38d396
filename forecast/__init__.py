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
    "DataError": "forecast.data.errors",
    "NotFittedError": "forecast.data.errors",
    "ModelError": "forecast.data.errors",
    "StoreError": "forecast.data.errors",
    "Problem": "forecast.data.errors",
    "validate_observations": "forecast.data.schema",
    # catalogue
    "REGIONS": "forecast.data.catalog",
    "INDICATORS": "forecast.data.catalog",
    "CITIES": "forecast.data.catalog",
    "CARRIAGES": "forecast.data.catalog",
    "region_code": "forecast.data.catalog",
    "indicator_code": "forecast.data.catalog",
    # data in
    "read_table": "forecast.data.files",
    "read_tables": "forecast.data.files",
    "load_bundled": "forecast.data.files",
    "load_targets": "forecast.data.target_table",
    "resolve_data_path": "forecast.data.files",
    "DATA_DIR": "forecast.data.files",
    # YTD arithmetic and calendar
    "ytd_to_flows": "forecast.data.ytd",
    "flows_to_ytd": "forecast.data.ytd",
    "comparable_base": "forecast.data.ytd",
    "chained_index": "forecast.data.ytd",
    "build_panel": "forecast.data.panel",
    "series_flows": "forecast.data.panel",
    "season_of": "forecast.data.ytd",
    "season_periods": "forecast.data.ytd",
    "spring_festival_dates": "forecast.data.calendar",
    "spring_festival_regressors": "forecast.data.calendar",
    # store
    "Store": "forecast.runs.store",
    # engine
    "MODELS": "forecast.engine.models",
    "forecast_series": "forecast.engine.auto",
    "forecast_panel": "forecast.engine.panel_forecast",
    "forecast_many": "forecast.engine.panel_forecast",
    "backtest": "forecast.engine.evaluation",
    # decisions
    "required_growth": "forecast.decisions.targets",
    "evaluate_targets": "forecast.decisions.targets",
    "full_year_base": "forecast.decisions.targets",
    "full_year_growth_paths": "forecast.decisions.targets",
    "remaining_bases": "forecast.decisions.targets",
    "ytd_position": "forecast.decisions.targets",
    "invert_province_target": "forecast.decisions.inversion",
    "contributions": "forecast.decisions.breakdown",
    "carriage_shares": "forecast.decisions.breakdown",
    # ``forecast.decisions.reconcile`` is the module; its function is exported under a name that cannot collide
    "reconcile_forecasts": "forecast.decisions.reconcile:reconcile",
    "Scenario": "forecast.decisions.scenarios",
    "Adjustment": "forecast.decisions.scenarios",
    "load_scenario": "forecast.decisions.scenarios",
    "apply_scenario": "forecast.decisions.scenarios",
    "save_scenario": "forecast.decisions.scenarios",
    "compare_scenarios": "forecast.decisions.scenarios",
    "list_scenarios": "forecast.decisions.scenarios",
    # runs, plots
    "load_latest_run": "forecast.runs.results",
    "RunResult": "forecast.runs.results",
    "run_batch": "forecast.runs.batch",
    "BatchSettings": "forecast.runs.batch",
    "export_meeting_pack": "forecast.export.pack",
    "load_run": "forecast.runs.results",
    "list_runs": "forecast.runs.results",
    "fan_chart": "forecast.present.plots",
    "plot_fan": "forecast.present.plots",
    "figure_png": "forecast.present.plots",
    "PathSet": "forecast.decisions.reconcile",
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
