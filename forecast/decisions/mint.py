"""MinT reconciliation with the Schäfer–Strimmer shrinkage covariance, on sample paths.

MinT (Wickramasuriya, Athanasopoulos & Hyndman 2019) as used by ``method='mint_shrink'`` of
:func:`forecast.decisions.reconcile.reconcile`. For each horizon step the covariance ``W`` of the base forecasts of
every series of the hierarchy (province, cities, discrepancy) is estimated from the sample paths
themselves (centred across paths: a proxy for forecast-error covariance), shrunk towards its diagonal with
the Schäfer–Strimmer intensity (:func:`shrink_covariance`), and every path is projected onto the coherent
subspace (:func:`project_coherent`):
``ỹ = ŷ − W Cᵀ (C W Cᵀ)⁻¹ C ŷ`` with ``C`` the constraint matrix (``C y = 0`` ⇔ coherent). This is
the MinT solution ``S (Sᵀ W⁻¹ S)⁻¹ Sᵀ W⁻¹ ŷ`` written without inverting ``W``; being linear and
path-wise, coherence holds on every path and the mean of the result is the reconciled mean. A tiny
ridge (1e-9 × mean variance) keeps ``C W Cᵀ`` invertible; with no spread at all ``W = I`` (OLS).

:func:`mint_blocks` writes ``C`` for one indicator's hierarchy (``province − Σ cities − discrepancy = 0``)
or for the trade family, where ``trade − exports − imports = 0`` is added for every region and the
discrepancy, and projects all series jointly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from forecast.data.catalog import IDENTITIES, PROVINCE
from forecast.data.errors import Coded
from forecast.decisions.discrepancy import DISCREPANCY


@dataclass
class HierarchyBlock:
    """Mutable working copy of one indicator's hierarchy: province, cities, discrepancy.

    :mod:`forecast.decisions.reconcile` makes one per indicator; :func:`mint_blocks` adjusts their paths.
    """

    indicator: str
    cities: list[str]
    paths: dict[str, np.ndarray]  # region → (n, h)
    notes: dict[str, list[str]]

    def note(self, region: str, text: str) -> None:
        if text not in self.notes[region]:
            self.notes[region].append(text)

    def bottom_up(self) -> None:
        self.paths[PROVINCE] = sum((self.paths[c] for c in self.cities), self.paths[DISCREPANCY].copy())


def shrink_covariance(x: np.ndarray) -> tuple[np.ndarray, float]:
    """Schäfer–Strimmer shrinkage of the sample covariance of ``x`` (n × m) towards its diagonal.

    ``x`` is centred by column first. Returns ``(W, lambda)`` where ``W = λ·diag(S) + (1−λ)·S`` and
    ``λ = Σ_{i≠j} Var(r_ij) / Σ_{i≠j} r_ij²`` clipped to [0, 1] (as in ``hts::shrink.estim``).

    Examples
    --------
    >>> w, lam = shrink_covariance(np.random.default_rng(0).normal(size=(500, 3)))
    >>> bool(0 <= lam <= 1), w.shape
    (True, (3, 3))
    """
    x = np.asarray(x, dtype=float)
    n = x.shape[0]
    xc = x - x.mean(axis=0)
    s = xc.T @ xc / max(n, 1)
    sd = np.sqrt(np.diag(s))
    if n < 3 or not np.any(sd > 0):
        return np.diag(np.diag(s)), 1.0
    sd_safe = np.where(sd > 0, sd, 1.0)
    xs = xc / sd_safe
    r = s / np.outer(sd_safe, sd_safe)
    v = (xs**2).T @ (xs**2) - (xs.T @ xs) ** 2 / n
    v *= 1.0 / (n * (n - 1))
    off = ~np.eye(len(sd), dtype=bool) & np.outer(sd > 0, sd > 0)
    denom = float((r[off] ** 2).sum())
    lam = 1.0 if denom <= 0 else float(np.clip(v[off].sum() / denom, 0.0, 1.0))
    return lam * np.diag(np.diag(s)) + (1 - lam) * s, lam


def project_coherent(y: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, float]:
    """Project every row of ``y`` (n × m) onto ``C y = 0`` with the shrunk covariance of ``y``.

    Returns ``(projected y, Schäfer–Strimmer λ)``; ``y`` is not modified.

    Examples
    --------
    One path (no spread, so ``W = I``) of province 3 = cities 1 + 1 with a gap of 1: OLS moves each
    series by a third of it.

    >>> out, lam = project_coherent(np.array([[3.0, 1.0, 1.0]]), np.array([[1.0, -1.0, -1.0]]))
    >>> np.round(out, 4).tolist(), lam
    ([[2.6667, 1.3333, 1.3333]], 1.0)
    """
    w, lam = shrink_covariance(y)
    scale = float(np.mean(np.diag(w)))
    w = np.eye(w.shape[0]) if scale <= 0 else w + 1e-9 * scale * np.eye(w.shape[0])
    a = np.linalg.solve(c @ w @ c.T, c @ w)  # (k × m)
    return y - (y @ c.T) @ a, lam



def mint_blocks(blocks: list[HierarchyBlock], two_level: bool) -> None:
    """Joint MinT of one or three hierarchies; writes the projected paths back into the blocks.

    ``blocks`` are :mod:`forecast.decisions.reconcile`'s working copies (one per indicator: ``indicator``,
    ``cities``, ``paths`` by region including the discrepancy, ``notes``); with ``two_level`` they are
    trade, exports and imports and ``trade = exports + imports`` is imposed too.
    """
    order = [(b, r) for b in blocks for r in [PROVINCE, *b.cities, DISCREPANCY]]
    pos = {(b.indicator, r): j for j, (b, r) in enumerate(order)}
    rows = []
    for b in blocks:
        if two_level and b.indicator == "trade":
            continue
        row = np.zeros(len(order))
        row[pos[(b.indicator, PROVINCE)]] = 1.0
        for r in [*b.cities, DISCREPANCY]:
            row[pos[(b.indicator, r)]] = -1.0
        rows.append(row)
    if two_level:
        p1, p2 = IDENTITIES["trade"]
        for r in [PROVINCE, *blocks[0].cities, DISCREPANCY]:
            row = np.zeros(len(order))
            row[pos[("trade", r)]], row[pos[(p1, r)]], row[pos[(p2, r)]] = 1.0, -1.0, -1.0
            rows.append(row)
    c = np.array(rows)
    y = np.stack([b.paths[r] for b, r in order], axis=2)  # (n, h, m)
    out = np.empty_like(y)
    lams = []
    for h in range(y.shape[1]):
        out[:, h, :], lam = project_coherent(y[:, h, :], c)
        lams.append(lam)
    for j, (b, r) in enumerate(order):
        b.paths[r] = out[:, :, j]
    for b in blocks:
        b.notes[PROVINCE].append(
            Coded(f"MinT with Schäfer–Strimmer shrinkage (λ {min(lams):.2f}–{max(lams):.2f} over the horizon)", "rec_mint",
                  {"low": f"{min(lams):.2f}", "high": f"{max(lams):.2f}"}))
