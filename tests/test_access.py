"""Roles, the refusals of the app's write functions, and the audit trail (DESIGN §8).

The app's pages are tested in ``tests/test_app.py`` (a viewer sees no write control; analysts and admins
do, and every write they make is in the audit table). Here: the role logic on its own, every write
function called directly by a role that may not use it (it refuses and writes nothing: no file, no store
row, no audit row), and the audit table itself (append-only, parameterised, migrated into older stores).
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from forecast.app import access, saved_scenarios, storage, uploads
from forecast.app.access import AccessDenied, Actor, Role, RoleFileError, can, require, role_of
from forecast.decisions.scenarios import Adjustment, Scenario
from forecast.present import i18n
from forecast.runs.store import MIGRATIONS, SCHEMA_VERSION, Store, file_sha256
from forecast.runs.store.audit import ACTIONS, AUDIT_COLUMNS, audit_log, record

ROOT = Path(__file__).resolve().parents[1]
HAN = re.compile(r"[\u4e00-\u9fff]")
VIEWER = Actor("zhao.min@example.gov.cn", Role.VIEWER)
ANALYST = Actor("li.lei@example.gov.cn", Role.ANALYST)
ADMIN = Actor("wang.fang@example.gov.cn", Role.ADMIN)
ONE = Scenario("沈阳促消费", (Adjustment("pp", "retail", ("shenyang",), ("2026-12",), 1.0),))
GOOD = ROOT / "tests" / "fixtures" / "good" / "long_utf8.csv"


# -- roles -----------------------------------------------------------------------------------------------------
def test_each_role_may_do_what_design_8_says_and_no_more():
    allowed = {role: {a for a in access.NEEDS if can(role, a)} for role in Role}
    assert allowed[Role.VIEWER] == {"read", "scenario_try"}
    assert allowed[Role.ANALYST] == allowed[Role.VIEWER] | {"scenario_save", "target_change", "upload", "ingest"}
    assert allowed[Role.ADMIN] == set(access.NEEDS)
    assert not any(can(None, a) for a in access.NEEDS)  # anonymous: nothing, not even reading
    with pytest.raises(KeyError):
        can(Role.ADMIN, "scenario_sav")  # a typo fails; it never allows or refuses silently
    # every write the app checks is an action of the audit trail
    assert set(access.NEEDS) - {"read", "scenario_try", "audit_read"} <= set(ACTIONS)


def test_a_refusal_says_who_may_not_do_what_in_both_languages():
    with pytest.raises(AccessDenied) as info:
        require(VIEWER, "scenario_save")
    e = info.value
    assert isinstance(e, PermissionError) and (e.role, e.action) == (Role.VIEWER, "scenario_save")
    assert e.text("zh") == "查看者无权保存情景（需要分析员角色）。"
    assert e.text("en") == "A viewer may not save a scenario (it needs the analyst role)."
    assert str(e) == f"{e.text('zh')} / {e.text('en')}"
    assert "An admin" not in str(e) and "An analyst may not delete" in AccessDenied(Role.ANALYST, "scenario_delete").text("en")
    require(ADMIN, "run_start")
    require(Role.ANALYST, "ingest")  # a bare role works too
    with pytest.raises(AccessDenied):
        require(None, "read")


def test_role_file_maps_emails_to_roles_and_everyone_else_is_a_viewer(tmp_path):
    roles = tmp_path / "roles.yaml"
    roles.write_text("users:\n  Wang.Fang@Example.gov.cn: admin\n  li.lei@example.gov.cn: 分析员\n", encoding="utf-8")
    assert role_of({"is_logged_in": True, "email": "wang.fang@example.gov.cn"}, roles) is Role.ADMIN  # case-insensitive
    assert role_of("li.lei@example.gov.cn", roles) is Role.ANALYST  # Chinese role names are accepted
    assert role_of({"email": "stranger@example.com"}, roles) is Role.VIEWER
    assert role_of({"email": "wang.fang@example.gov.cn", "email_verified": False}, roles) is Role.VIEWER
    assert role_of({"name": "no e-mail"}, roles) is Role.VIEWER
    assert role_of("wang.fang@example.gov.cn", tmp_path / "missing.yaml") is Role.VIEWER  # no file: all viewers
    # the committed example is valid and names the three roles
    assert set(access.load_roles(ROOT / "data" / "roles.example.yaml").values()) == set(Role)


@pytest.mark.parametrize("text, needle", [
    ("users:\n  a@b.cn: superuser\n", "unknown role"),
    ("users:\n  not-an-email: admin\n", "not an e-mail"),
    ("users:\n  a@b.cn: admin\n  A@B.cn: viewer\n", "two roles"),
    ("admins: [a@b.cn]\n", "expected one mapping `users:`"),
    ("users: [a@b.cn]\n", "expected one mapping `users:`"),
    ("users:\n  a@b.cn: [admin\n", "cannot be read"),
])
def test_an_invalid_role_file_is_an_error_naming_the_file(tmp_path, text, needle):
    roles = tmp_path / "roles.yaml"
    roles.write_text(text, encoding="utf-8")
    with pytest.raises(RoleFileError, match=re.escape(needle)) as info:
        role_of("a@b.cn", roles)
    assert str(roles) in str(info.value)


def test_the_role_file_comes_from_the_environment_and_local_mode_is_admin(tmp_path, monkeypatch):
    monkeypatch.setenv("TROIKA_DATA_DIR", str(tmp_path))
    monkeypatch.delenv(access.ENV_ROLES, raising=False)
    assert access.role_file_path() == tmp_path / "roles.yaml"
    monkeypatch.setenv(access.ENV_ROLES, str(tmp_path / "elsewhere.yaml"))
    assert access.role_file_path() == tmp_path / "elsewhere.yaml"
    me = access.local_actor()
    assert me.role is Role.ADMIN and me.local and me.who.startswith("local:")
    for value, required in (("", False), ("0", False), ("1", True), ("yes", True)):
        monkeypatch.setenv(access.ENV_REQUIRE_LOGIN, value)
        assert access.login_required() is required


def test_access_labels_exist_in_both_languages_and_do_not_shadow_the_apps():
    assert not set(access.LABELS) & set(i18n.LABELS)
    for key, (zh, en) in access.LABELS.items():
        assert zh and en and not HAN.search(en), key
    assert [r.label("zh") for r in Role] == ["查看者", "分析员", "管理员"]
    assert [r.label("en") for r in Role] == ["viewer", "analyst", "admin"]


# -- the write functions refuse --------------------------------------------------------------------------------
def store_rows(db: Path) -> dict[str, int]:
    if not db.exists():
        return {}
    with sqlite3.connect(db) as conn:
        return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("audit", "ingests", "observations")}


def test_a_viewer_calling_the_write_functions_directly_is_refused_and_nothing_is_written(tmp_path):
    db, folder, up = tmp_path / "troika.db", tmp_path / "scenarios", tmp_path / "uploads"
    writes = {
        "scenario_save": lambda who: saved_scenarios.save_named_scenario(ONE, folder, actor=who, db=db),
        "scenario_delete": lambda who: saved_scenarios.delete_named_scenario(ONE.name, folder, actor=who, db=db),
        "upload": lambda who: uploads.save_upload(b"x", "a.csv", "id1", actor=who, db=db, folder=up),
        "ingest": lambda who: storage.ingest_upload(GOOD, actor=who, db=db),
        "run_start": lambda who: storage.start_run(db, actor=who, args=["--help"], log_dir=tmp_path / "logs"),
        "audit_read": lambda who: storage.audit_table(db, actor=who),
    }
    for action, write in writes.items():
        for who in (VIEWER, ANALYST, ADMIN):
            if can(who.role, action):
                continue
            with pytest.raises(AccessDenied) as info:
                write(who)
            assert info.value.action == action
    # nothing at all was written: no store, no scenario file, no upload, no log
    assert not db.exists() and not folder.exists() and not up.exists() and not (tmp_path / "logs").exists()


def test_an_analyst_writes_and_each_write_is_in_the_audit_trail(tmp_path):
    db, folder = tmp_path / "troika.db", tmp_path / "scenarios"
    path = saved_scenarios.save_named_scenario(ONE, folder, actor=ANALYST, db=db)
    kept = uploads.save_upload(GOOD.read_bytes(), "long_utf8.csv", "up-1", actor=ANALYST, db=db, folder=tmp_path / "up")
    report = storage.ingest_upload(kept, actor=ANALYST, db=db, name="long_utf8.csv")
    again = storage.ingest_upload(kept, actor=ANALYST, db=db, name="long_utf8.csv")  # same bytes: a no-op
    with pytest.raises(AccessDenied):
        saved_scenarios.delete_named_scenario(ONE.name, folder, actor=ANALYST, db=db)
    assert path.exists() and report.rows_added == 39 and not again.changed
    log = audit_log(Store(db, create=False))
    assert log.columns.tolist() == list(AUDIT_COLUMNS)
    assert log[["who", "action", "what"]].values.tolist() == [
        [ANALYST.who, "scenario_save", "沈阳促消费"], [ANALYST.who, "upload", "long_utf8.csv"],
        [ANALYST.who, "ingest", "long_utf8.csv"], [ANALYST.who, "ingest", "long_utf8.csv"]]
    assert log["before"].iloc[0] is None and log["after"].iloc[0] == file_sha256(path)
    assert log["after"].iloc[1] == file_sha256(GOOD)
    ingest_id = str(Store(db, create=False).ingest_log()["id"].iloc[-1])
    assert log[["before", "after"]].iloc[2].tolist() == [None, ingest_id]          # first ingest: none before
    assert log[["before", "after"]].iloc[3].tolist() == [ingest_id, ingest_id]    # nothing changed
    assert (pd.Timestamp.now(tz="UTC") - pd.to_datetime(log["at"])).dt.total_seconds().between(-1, 120).all()  # UTC


def test_an_admin_saves_deletes_and_starts_a_run_each_recorded_with_before_and_after(tmp_path):
    db, folder = tmp_path / "troika.db", tmp_path / "scenarios"
    first = saved_scenarios.save_named_scenario(ONE, folder, actor=ADMIN, db=db)
    h1 = file_sha256(first)
    changed = Scenario(ONE.name, (Adjustment("pp", "retail", ("shenyang",), ("2026-12",), 2.0),))
    assert saved_scenarios.save_named_scenario(changed, folder, actor=ADMIN, db=db) == first
    h2 = file_sha256(first)
    assert saved_scenarios.delete_named_scenario(ONE.name, folder, actor=ADMIN, db=db) and not first.exists()
    job = storage.start_run(db, actor=ADMIN, args=["--help"], log_dir=tmp_path / "logs")  # prints usage, exits 0
    job.proc.wait(timeout=120)
    assert storage.finish_run(job, db) == 0 and storage.finish_run(job, db) == 0  # recorded once
    log = audit_log(Store(db, create=False))
    assert log["action"].tolist() == ["scenario_save", "scenario_save", "scenario_delete", "run_start", "run_finish"]
    assert log[["before", "after"]].values.tolist()[:3] == [[None, h1], [h1, h2], [h2, None]]
    assert log["what"].iloc[3].startswith("forecast run --help (log run-") and log["before"].iloc[3] is None
    assert log[["what", "before", "after"]].iloc[4].tolist() == ["exit 0", None, None]  # no run before, none made
    table = storage.audit_table(db, "en", actor=ADMIN)
    assert table.columns.tolist() == ["Time (UTC)", "Who", "Action", "What", "Before", "After"]
    assert table["Action"].tolist()[0] == "run finished" and len(table) == 5  # newest first


# -- the audit table --------------------------------------------------------------------------------------------
def test_audit_rows_are_parameterised_and_append_only(tmp_path):
    store = Store(tmp_path / "t.db")
    nasty = "x'); DROP TABLE audit; --"
    rid = record(store, "o'brien@example.com", "scenario_save", nasty, before=1, after=2.5)
    log = audit_log(store)
    assert log[["id", "who", "what", "before", "after"]].values.tolist() == [[rid, "o'brien@example.com", nasty, "1", "2.5"]]
    with store.connect() as conn:
        for sql in ("UPDATE audit SET who = 'someone else'", "DELETE FROM audit"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                conn.execute(sql)
    assert len(audit_log(store)) == 1
    for bad in (("", "ingest", "f.csv"), ("me", "drop", "f.csv"), ("me", "ingest", None)):
        with pytest.raises(ValueError):
            record(store, *bad)
    with pytest.raises(TypeError):
        record(str(tmp_path / "t.db"), "me", "ingest", "f.csv")  # a path is not a store: open one first
    assert audit_log(store, action="scenario_save").shape[0] == 1 and audit_log(store, who="nobody").empty


def test_a_record_in_the_writers_transaction_is_rolled_back_with_it(tmp_path):
    store = Store(tmp_path / "t.db")
    with pytest.raises(RuntimeError), store.transaction() as conn:
        record(conn, "me", "target_change", "2026 shenyang retail", before=5.0, after=5.5)
        raise RuntimeError("the write failed")
    assert audit_log(store).empty


def test_an_older_store_gains_the_audit_table_and_keeps_its_rows(tmp_path):
    path = tmp_path / "v2.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
    for version, statements in MIGRATIONS:
        if version > 2:
            break
        for sql in statements:
            conn.execute(sql)
        conn.execute("INSERT INTO schema_version VALUES (?, 'then')", (version,))
    conn.execute("INSERT INTO ingests VALUES (1, 'f.csv', ?, 'then', 1, 0)", ("a" * 64,))
    conn.commit()
    conn.close()
    store = Store(path)
    assert store.schema_version() == SCHEMA_VERSION >= 3
    assert store.ingest_log()["file"].tolist() == ["f.csv"] and audit_log(store).empty
    record(store, "me", "ingest", "f.csv", before=None, after=1)
    assert audit_log(Store(path, create=False))["after"].tolist() == ["1"]
