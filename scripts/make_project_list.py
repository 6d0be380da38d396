"""Write the bundled example project list, data/projects/example_2026.csv (illustrative, NOT official data).

Run ``python scripts/make_project_list.py`` from the repository root; the output is the same on every run
(seeded). The list is generated: 300 projects over the 14 cities, shaped like a provincial key-project list,
with aggregates in line with published figures (/work/shared/reference/liaoning_more.csv):

- 2024: 300 provincial key projects, total investment over 1.4万亿元 (14,000亿元), annual plan over 1,700亿元
  (中新社 2024-01-22; 省发改委 via 国际在线 2024-03-12); 2025: 300 provincial major projects (省政府工作报告分工方案);
- 2025 Q1 concentrated start: 1,359 new projects, total over 3,500亿元, annual plan over 1,100亿元.

So the example has 300 projects, total ≈ 14,000亿元 and this year's plan ≈ 1,750亿元, about 40 % of them new
starts. City weights are rough shares of provincial investment (Shenyang and Dalian largest). A few new starts
are flagged 是否新增 = 是 (not in the baseline), so the list has an incremental scenario to show. Names are
``<city>示例项目NNN``: no real project is described.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

SEED = 20261206
YEAR = 2026
N = 300
TOTAL, PLANNED = 14_000.0, 1_750.0
CITIES = [("沈阳", 0.22), ("大连", 0.20), ("鞍山", 0.07), ("抚顺", 0.05), ("本溪", 0.04), ("丹东", 0.05),
          ("锦州", 0.06), ("营口", 0.06), ("阜新", 0.04), ("辽阳", 0.04), ("盘锦", 0.05), ("铁岭", 0.04),
          ("朝阳", 0.04), ("葫芦岛", 0.04)]
SECTORS = ["先进制造", "基础设施", "新能源", "城市更新", "社会民生", "现代服务业", "农业水利"]
STATUS = [("新开工", 0.40), ("续建", 0.50), ("前期", 0.05), ("竣工", 0.05)]
OUT = Path(__file__).resolve().parents[1] / "data" / "projects" / "example_2026.csv"
TITLE = (f"{YEAR}年全省重大项目清单（示例数据：随机生成，非官方数据；illustrative example, generated, not official; "
         f"scripts/make_project_list.py seed {SEED}）")
HEADER = ["项目名称", "所在地区", "行业", "建设性质", "总投资(亿元)", "年度计划投资(亿元)", "计划开工", "计划竣工",
          "已完成投资(亿元)", "时期", "是否新增"]


def _month(index: int) -> str:
    """Month number since 0000-01 → 'YYYY-MM'."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def build(seed: int = SEED) -> list[list[str]]:
    rng = np.random.default_rng(seed)
    city = rng.choice(len(CITIES), N, p=[w for _, w in CITIES])
    status = rng.choice(len(STATUS), N, p=[w for _, w in STATUS])
    total = rng.lognormal(0.0, 0.9, N)
    total *= TOTAL / total.sum()
    jan = YEAR * 12
    rows, fractions, spans = [], np.zeros(N), []
    for i in range(N):
        s = STATUS[status[i]][0]
        if s == "新开工":
            start = jan + int(rng.integers(2, 9))
            end = start + int(rng.integers(12, 49))
        elif s == "续建":
            start = jan - int(rng.integers(6, 37))
            end = jan + int(rng.integers(6, 48))
        elif s == "前期":
            start = jan + int(rng.integers(8, 12))
            end = start + int(rng.integers(24, 49))
        else:
            start = jan - int(rng.integers(12, 37))
            end = jan + int(rng.integers(3, 12))
        active = min(end, jan + 11) - max(start, jan) + 1
        fractions[i] = active / (end - start + 1) * rng.uniform(0.8, 1.2)
        spans.append((start, end))
    planned = np.minimum(total * fractions, total)
    planned *= PLANNED / planned.sum()
    planned = np.minimum(planned, total)
    counters: dict[int, int] = {}
    for i in range(N):
        counters[city[i]] = counters.get(city[i], 0) + 1
        name_city, s = CITIES[city[i]][0], STATUS[status[i]][0]
        start, end = spans[i]
        # completed this year to October (年内累计完成): most of the plan so far, some projects behind
        done = min(total[i], planned[i] * rng.uniform(0.45, 0.95)) if s != "前期" else 0.0
        incremental = "是" if s == "新开工" and rng.uniform() < 0.12 else "否"
        rows.append([f"{name_city}示例项目{counters[city[i]]:03d}", name_city, SECTORS[int(rng.integers(len(SECTORS)))],
                     s, f"{total[i]:.2f}", f"{planned[i]:.2f}", _month(start), _month(end), f"{done:.2f}",
                     f"{YEAR}-10", incremental])
    return rows


def write_campaign() -> Path:
    """Write data/scenarios/consumption_campaign.yaml with the campaign builder (illustrative sizes).

    Trade-in funds in November–December 2026: 3亿元 each in Shenyang and Dalian, 0.5亿元 in each other city
    (12亿元 in all), gross leverage of Shenyang 2025 (34亿元 → 332.5亿元), additionality 30 % (the analyst's
    choice: most subsidised purchases would have been made anyway), 20 % of the extra sales paid back in
    Jan–Mar 2027 (pull-forward).
    """
    from forecast.data.catalog import CITIES as CODES
    from forecast.decisions.campaigns import Campaign, campaign_scenario
    from forecast.decisions.scenario_files import save_scenario

    funds = {c: 3.0 if c in ("shenyang", "dalian") else 0.5 for c in CODES}
    campaigns = [Campaign(c, f, "2026-11..2026-12", additionality=0.3, leverage="trade_in", payback_share=0.2,
                          payback_months="2027-02..2027-03") for c, f in funds.items()]
    scenario = campaign_scenario(campaigns, "consumption_campaign", name_zh="促消费活动",
                                 what="Illustrative sizes, not announced figures: 12亿元 of trade-in funds in "
                                      "Nov–Dec 2026",
                                 what_zh="示例规模，非公布数据：2026年11—12月以旧换新资金共12亿元")
    path = OUT.parents[1] / "scenarios" / "consumption_campaign.yaml"
    return save_scenario(scenario, path)


def main() -> None:
    print(f"wrote {write_campaign()}")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow([TITLE])
        w.writerow(HEADER)
        w.writerows(build())
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
