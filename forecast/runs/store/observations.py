"""Reading stored observations: the :class:`~forecast.runs.store.Store` methods over the ``observations`` and
``ingests`` tables (a mixin: the store class holds connections and schema, this module the queries)."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Sequence

import pandas as pd

from forecast.data.catalog import indicator_code, region_code
from forecast.data.schema import INDICATOR, OBSERVATION_COLUMNS, REGION, YTD_VALUE, YTD_YOY
from forecast.runs.store.ingest import observations_frame


class ObservationReads:
    """Queries of the observations and ingests; needs ``self.connect()`` (:class:`forecast.runs.store.Store`)."""

    def observations(
        self,
        region: str | Sequence[str] | None = None,
        indicator: str | Sequence[str] | None = None,
        latest_vintage: bool = True,
    ) -> pd.DataFrame:
        """Return stored observations as a frame of the observations contract.

        Parameters
        ----------
        region, indicator : str or list of str, optional
            Filter by names, aliases or codes (resolved through the catalogue). Default: all.
        latest_vintage : bool
            Keep only the latest vintage of each (region, indicator, period) (dated vintages sort
            after ``''``). ``False`` returns every stored release.

        Returns
        -------
        DataFrame
            Columns :data:`forecast.data.schema.OBSERVATION_COLUMNS`, sorted by region and indicator in
            catalogue order (province first), then period and vintage; ``period`` is ``Period[M]``,
            NULL figures are NaN.

        Examples
        --------
        >>> store.observations("辽宁", "retail").columns.tolist()
        ['region', 'indicator', 'period', 'ytd_value', 'ytd_yoy', 'vintage', 'status', 'source']
        """
        with self.connect() as conn:
            return observations_frame(self._observation_rows(conn, region, indicator, latest_vintage))

    def _observation_rows(self, conn: sqlite3.Connection, region, indicator, latest_vintage: bool = True,
                          columns: Sequence[str] = OBSERVATION_COLUMNS) -> list[tuple]:
        where, params = [], []
        for col, names, resolve in ((REGION, region, region_code), (INDICATOR, indicator, indicator_code)):
            if names is None:
                continue
            codes = [resolve(n) for n in ([names] if isinstance(names, str) else names)]
            where.append(f"o.{col} IN ({', '.join('?' * len(codes))})")
            params.extend(codes)
        if latest_vintage:
            where.append(
                "o.vintage = (SELECT MAX(p.vintage) FROM observations p WHERE p.region = o.region "
                "AND p.indicator = o.indicator AND p.period = o.period)"
            )
        sql = f"SELECT {', '.join('o.' + c for c in columns)} FROM observations o"
        if where:
            sql += " WHERE " + " AND ".join(where)
        return conn.execute(sql, params).fetchall()

    def observations_digest(self, region=None, indicator=None) -> str:
        """sha256 of every stored release (all vintages) of the selected series, independent of row order.

        Two stores holding the same figures give the same digest; any added, filled-in or revised
        figure changes it. The batch uses it to tell whether the data changed since the last run.
        """
        cols = ("region", "indicator", "period", "vintage", "ytd_value", "ytd_yoy", "status")
        with self.connect() as conn:
            rows = sorted(self._observation_rows(conn, region, indicator, latest_vintage=False, columns=cols))
        h = hashlib.sha256()
        for r in rows:
            h.update(repr(r).encode())
            h.update(b"\n")
        return h.hexdigest()

    def latest(self, indicators: Sequence[str] | None = None) -> pd.DataFrame:
        """Return, per (region, indicator), the latest period with a published figure (latest vintage).

        Examples
        --------
        >>> store.latest(["fai"]).shape                                # one row per region
        (15, 8)
        """
        obs = self.observations(indicator=indicators)
        known = obs[obs[YTD_VALUE].notna() | obs[YTD_YOY].notna()]
        return known.groupby([REGION, INDICATOR], sort=True).tail(1).reset_index(drop=True)

    def ingest_log(self) -> pd.DataFrame:
        """Return the ingests table (id, file, sha256, ingested_at, rows_added, rows_filled), oldest first."""
        cols = ["id", "file", "sha256", "ingested_at", "rows_added", "rows_filled"]
        with self.connect() as conn:
            rows = conn.execute(f"SELECT {', '.join(cols)} FROM ingests ORDER BY id").fetchall()
        return pd.DataFrame(rows, columns=cols)

    def counts(self) -> dict[str, int]:
        """Return row counts: ``observations``, ``series`` (region × indicator pairs) and ``ingests``."""
        with self.connect() as conn:
            return {
                "observations": conn.execute("SELECT COUNT(*) FROM observations").fetchone()[0],
                "series": conn.execute(
                    "SELECT COUNT(*) FROM (SELECT DISTINCT region, indicator FROM observations)"
                ).fetchone()[0],
                "ingests": conn.execute("SELECT COUNT(*) FROM ingests").fetchone()[0],
            }
