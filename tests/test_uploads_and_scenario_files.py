"""Saved scenario files never overwrite one another; uploads are private, under the data folder, kept N days.

Scenario files: the file name is a slug of the scenario's name plus a hash of the exact name
(:func:`forecast.decisions.scenario_files.scenario_file_name`), and :func:`forecast.app.saved_scenarios.save_named_scenario`
refuses to write over a file that holds another scenario. Before, names whose slugs collided were numbered
``_1`` … ``_999`` and the 1001st overwrote ``_999``'s scenario.
"""

from __future__ import annotations

import itertools
import os
import stat
import time
from pathlib import Path

import pytest

from forecast.app import saved_scenarios, uploads
from forecast.app.access import Actor, Role
from forecast.decisions.scenario_files import named_by_hash, scan_scenarios, scenario_file_name
from forecast.decisions.scenarios import Adjustment, Scenario, load_scenario, save_scenario
from forecast.runs.store import Store
from forecast.runs.store.audit import audit_log

ADMIN = Actor("local:test", Role.ADMIN, local=True)
DAY = 86400


def scenario(name: str, value: float = 1.0) -> Scenario:
    return Scenario(name, (Adjustment("pp", "retail", ("shenyang",), ("2026-12",), value),))


def alike(n: int) -> list[str]:
    """``n`` names whose slugs are all ``a_b``: any run of these characters between a and b becomes one ``_``."""
    seps = " /?：·!.,+#"
    runs = (run for k in range(1, 5) for run in itertools.product(seps, repeat=k))
    return [f"a{''.join(run)}b" for run in itertools.islice(runs, n)]


# -- scenario files -----------------------------------------------------------------------------------------------
def test_names_with_the_same_slug_get_files_of_their_own():
    names = alike(5000)
    assert len(names) == 5000
    files = [scenario_file_name(n) for n in names]
    assert len(set(files)) == len(files)
    assert {f.rsplit("-", 1)[0] for f in files} == {"a_b"} and all(named_by_hash(f) for f in files)
    assert scenario_file_name("一" * 100).startswith("一" * 60 + "-")  # long names: 60 characters of slug
    with pytest.raises(ValueError):
        scenario_file_name("x", ".txt")


@pytest.mark.slow
def test_saving_1001_scenarios_whose_slugs_collide_overwrites_none(tmp_path):
    folder, db = tmp_path / "scenarios", tmp_path / "troika.db"
    names = alike(1001)
    paths = [saved_scenarios.save_named_scenario(scenario(n, i), folder, actor=ADMIN, db=db) for i, n in enumerate(names)]
    assert len(set(paths)) == 1001
    found, problems = scan_scenarios(folder)
    assert not problems and sorted(s.name for s in found) == sorted(names)
    assert all(load_scenario(p).adjustments[0].value == i for i, p in enumerate(paths))  # each file its own scenario
    assert len(audit_log(Store(db, create=False))) == 1001


def test_a_file_holding_another_scenario_is_never_overwritten(tmp_path):
    folder, db = tmp_path / "scenarios", tmp_path / "troika.db"
    # a clash made by hand: the file "mine" would be saved in already holds the scenario "theirs"
    taken = save_scenario(scenario("theirs", 7.0), folder / scenario_file_name("mine"))
    before = taken.read_bytes()
    with pytest.raises(saved_scenarios.ScenarioFileTaken) as info:
        saved_scenarios.save_named_scenario(scenario("mine"), folder, actor=ADMIN, db=db)
    assert (info.value.path, info.value.other) == (taken, "theirs")
    assert taken.read_bytes() == before and len(list(folder.iterdir())) == 1
    assert not db.exists()  # refused before anything was written, the audit trail included
    # an unreadable file in that place is not overwritten either
    taken.write_text("name: [unclosed\n", encoding="utf-8")
    with pytest.raises(saved_scenarios.ScenarioFileTaken):
        saved_scenarios.save_named_scenario(scenario("mine"), folder, actor=ADMIN, db=db)
    assert taken.read_text(encoding="utf-8") == "name: [unclosed\n"


def test_a_scenario_in_an_older_file_is_replaced_in_place(tmp_path):
    folder, db = tmp_path / "scenarios", tmp_path / "troika.db"
    old = save_scenario(scenario("export shock", 1.0), folder / "export_shock.yaml")  # hand-written, old naming
    assert saved_scenarios.save_named_scenario(scenario("export shock", 2.0), folder, actor=ADMIN, db=db) == old
    found, problems = scan_scenarios(folder)
    assert not problems and [s.name for s in found] == ["export shock"] and found[0].adjustments[0].value == 2.0
    assert [p.name for p in folder.iterdir()] == ["export_shock.yaml"]


# -- uploads -----------------------------------------------------------------------------------------------------------
@pytest.fixture
def data(tmp_path, monkeypatch):
    monkeypatch.setenv("TROIKA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv(uploads.ENV_UPLOAD_DAYS, raising=False)
    old = os.umask(0o022)  # the usual umask: without care, folders would be 0755 and files 0644
    yield tmp_path / "data"
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_uploads_are_kept_privately_under_the_data_folder(data):
    db = data / "troika.db"
    (data / "uploads").mkdir(parents=True)
    os.chmod(data / "uploads", 0o755)  # left by an older troika: made private again
    path = uploads.save_upload(b"region,x\n", "锦州 2026.csv", "f1d2", actor=ADMIN, db=db)
    assert path == data / "uploads" / "f1d2" / "锦州_2026.csv" and path.read_bytes() == b"region,x\n"
    assert (mode(data / "uploads"), mode(path.parent), mode(path)) == (0o700, 0o700, 0o600)
    # the page reruns with the same upload: written and recorded once
    assert uploads.save_upload(b"other", "锦州 2026.csv", "f1d2", actor=ADMIN, db=db) == path
    assert path.read_bytes() == b"region,x\n"
    assert audit_log(Store(db, create=False))[["action", "what"]].values.tolist() == [["upload", "锦州 2026.csv"]]
    # a name or an id cannot leave the uploads folder
    evil = uploads.save_upload(b"x", "../../../etc/passwd.csv", "../../x", actor=ADMIN, db=db)
    assert evil.parent.parent == data / "uploads" and evil.name == "passwd.csv"


def old_upload(folder: Path, upload_id: str, days: float) -> Path:
    path = folder / upload_id / "t.csv"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"x")
    when = time.time() - days * DAY
    os.utime(path, (when, when))
    os.utime(path.parent, (when, when))
    return path


def test_each_upload_deletes_the_uploads_older_than_the_retention(data, monkeypatch):
    db, folder = data / "troika.db", data / "uploads"
    folder.mkdir(parents=True)
    stale, recent = old_upload(folder, "old", 31), old_upload(folder, "recent", 29)
    uploads.save_upload(b"x", "new.csv", "new", actor=ADMIN, db=db)  # default: 30 days
    assert not stale.exists() and not stale.parent.exists() and recent.exists()
    monkeypatch.setenv(uploads.ENV_UPLOAD_DAYS, "7")
    uploads.save_upload(b"x", "newer.csv", "newer", actor=ADMIN, db=db)
    assert not recent.exists() and (folder / "new" / "new.csv").exists()
    assert sorted(p.name for p in folder.iterdir()) == ["new", "newer"]
    monkeypatch.setenv(uploads.ENV_UPLOAD_DAYS, "thirty")
    with pytest.raises(ValueError, match="TROIKA_UPLOAD_DAYS='thirty'"):
        uploads.retention_days()


def test_pruning_removes_a_link_but_never_what_it_points_to(tmp_path):
    folder, outside = tmp_path / "uploads", tmp_path / "precious"
    folder.mkdir()
    outside.mkdir()
    keep = outside / "keep.csv"
    keep.write_bytes(b"x")
    when = time.time() - 90 * DAY
    os.utime(keep, (when, when))
    (folder / "link").symlink_to(outside, target_is_directory=True)
    os.utime(folder / "link", (when, when), follow_symlinks=False)
    assert uploads.prune_uploads(folder, 30) == [folder / "link"]
    assert keep.exists() and not (folder / "link").exists()
