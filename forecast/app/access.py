"""Who may do what in the app (DESIGN §8): roles, the role file, and the check every write makes.

Pure (no Streamlit). Three roles, each allowed what the one before it is:

=========  ======  =================================================================
role       中文     may
=========  ======  =================================================================
viewer     查看者    read every page, try scenarios in memory
analyst    分析员    also save scenarios, set targets, upload and ingest files
admin      管理员    also start batch runs, delete scenarios, read the audit trail
=========  ======  =================================================================

**Local mode** (no ``[auth]`` section in ``.streamlit/secrets.toml``): the app listens on 127.0.0.1 only
and everyone on the machine is admin (:func:`local_actor`). **With login** (``st.login``, OIDC), a user's
role comes from the role file (:func:`role_file_path`: ``$TROIKA_ROLES``, default ``<data dir>/roles.yaml``)
by the e-mail the identity provider vouches for; a logged-in user not in the file, or whose e-mail the
provider marks unverified, is a viewer; an anonymous visitor gets no role at all.

The role file (an example: ``data/roles.example.yaml``)::

    users:
      wang.fang@example.gov.cn: admin      # 管理员
      li.lei@example.gov.cn: analyst       # 分析员
      zhao.min@example.gov.cn: viewer      # 查看者 (the default: may be left out)

The pages hide the controls a role may not use (:func:`can`), and the functions behind them refuse too
(:func:`require` raises :class:`AccessDenied`), so a hidden button is never the only guard.

Examples
--------
>>> can(Role.VIEWER, "scenario_try"), can(Role.VIEWER, "scenario_save"), can(Role.ADMIN, "scenario_save")
(True, False, True)
>>> require(Actor("zhao.min@example.gov.cn", Role.ANALYST), "run_start")
Traceback (most recent call last):
...
forecast.app.access.AccessDenied: 分析员无权启动批次运行（需要管理员角色）。 / An analyst may not start a batch run (it needs the admin role).
"""

from __future__ import annotations

import enum
import getpass
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from forecast.data.files import current_data_dir

#: Environment variable naming the role file (default ``<data dir>/roles.yaml``).
ENV_ROLES = "TROIKA_ROLES"
#: Environment variable that makes a deployment refuse to serve without login (any value but ``""``/``0``).
ENV_REQUIRE_LOGIN = "TROIKA_REQUIRE_LOGIN"
ROLE_FILE_NAME = "roles.yaml"


class Role(enum.IntEnum):
    """A user's role; a higher role may do everything a lower one may."""

    VIEWER = 1
    ANALYST = 2
    ADMIN = 3

    @property
    def key(self) -> str:
        """``"viewer"``, ``"analyst"`` or ``"admin"``: the word of the role file."""
        return self.name.lower()

    def label(self, lang: str = "zh") -> str:
        """The role's name in ``lang`` (查看者 / viewer, …)."""
        return text(f"role_{self.key}", lang)

    @classmethod
    def parse(cls, word: Any) -> Role:
        """The role named ``word`` in English or Chinese (``"analyst"``, ``"分析员"``), case-insensitive.

        Examples
        --------
        >>> Role.parse("Admin"), Role.parse("查看者")
        (<Role.ADMIN: 3>, <Role.VIEWER: 1>)
        """
        w = str(word).strip().lower()
        for role in cls:
            if w in (role.key, LABELS[f"role_{role.key}"][0]):
                return role
        raise ValueError(f"unknown role {word!r}; expected viewer, analyst or admin (查看者, 分析员, 管理员)")


#: Action → the lowest role allowed to do it. The write actions are those of the audit trail.
NEEDS: dict[str, Role] = {
    "read": Role.VIEWER,
    "scenario_try": Role.VIEWER,
    "scenario_save": Role.ANALYST,
    "target_change": Role.ANALYST,
    "upload": Role.ANALYST,
    "ingest": Role.ANALYST,
    "run_start": Role.ADMIN,
    "scenario_delete": Role.ADMIN,
    "audit_read": Role.ADMIN,
}


@dataclass(frozen=True)
class Actor:
    """The person acting: ``who`` as the audit trail writes it, their ``role``; ``local`` in local mode."""

    who: str
    role: Role
    local: bool = False


class AccessDenied(PermissionError):
    """A role asked for an action it may not do; ``str(e)`` says so in Chinese and English."""

    def __init__(self, role: Role, action: str):
        self.role, self.action = role, action
        super().__init__(f"{self.text('zh')} / {self.text('en')}")

    def text(self, lang: str = "zh") -> str:
        """The refusal in ``lang``."""
        return text("denied", lang, role=_article(self.role.label(lang), lang), action=text(f"action_{self.action}", lang),
                    need=NEEDS[self.action].label(lang))


class RoleFileError(ValueError):
    """The role file cannot be read or holds something other than e-mail → role."""


def _article(word: str, lang: str) -> str:
    if lang != "en":
        return word
    return f"{'An' if word[:1].lower() in 'aeiou' else 'A'} {word}"


def can(role: Role | None, action: str) -> bool:
    """True when ``role`` may do ``action`` (one of :data:`NEEDS`); no role (anonymous) may do nothing.

    Raises
    ------
    KeyError
        For an unknown action (a typo must fail, not silently allow or refuse).
    """
    need = NEEDS[action]
    return role is not None and Role(role) >= need


def require(who: Actor | Role | None, action: str) -> None:
    """Return when ``who`` (an :class:`Actor` or a role) may do ``action``; raise :class:`AccessDenied` otherwise."""
    role = who.role if isinstance(who, Actor) else who
    if not can(role, action):
        raise AccessDenied(Role(role) if role is not None else Role.VIEWER, action)


def local_actor() -> Actor:
    """Local mode: the person at this machine, as admin (``who`` is ``local:<os user>``)."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no user name in the environment or the password database
        name = "unknown"
    return Actor(f"local:{name}", Role.ADMIN, local=True)


def login_required() -> bool:
    """True when ``$TROIKA_REQUIRE_LOGIN`` says a deployment must not serve without login."""
    return os.environ.get(ENV_REQUIRE_LOGIN, "").strip().lower() not in ("", "0", "false", "no")


def role_file_path() -> Path:
    """The role file: ``$TROIKA_ROLES``, else ``roles.yaml`` in the data folder."""
    env = os.environ.get(ENV_ROLES, "").strip()
    return Path(env) if env else current_data_dir() / ROLE_FILE_NAME


def load_roles(path: str | os.PathLike) -> dict[str, Role]:
    """The role file as lower-case e-mail → :class:`Role`; a missing file is an empty mapping.

    Raises
    ------
    RoleFileError
        Naming the file and the entry: unreadable or malformed YAML, no ``users`` mapping, an entry that is not
        an e-mail, an unknown role, one e-mail given two roles.
    """
    path = Path(path)
    if not path.exists():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        raise RoleFileError(f"role file {path}: cannot be read: {e}") from None
    if data is None:
        return {}
    if not isinstance(data, dict) or set(data) - {"users"} or not isinstance(data.get("users") or {}, dict):
        raise RoleFileError(f"role file {path}: expected one mapping `users:` of e-mail → viewer | analyst | admin")
    out: dict[str, Role] = {}
    for email, word in (data.get("users") or {}).items():
        key = str(email).strip().lower()
        if "@" not in key:
            raise RoleFileError(f"role file {path}: {email!r} is not an e-mail address")
        try:
            role = Role.parse(word)
        except ValueError as e:
            raise RoleFileError(f"role file {path}: {email}: {e}") from None
        if out.get(key, role) != role:
            raise RoleFileError(f"role file {path}: {email} is given two roles ({out[key].key}, {role.key})")
        out[key] = role
    return out


def user_email(user: Mapping[str, Any] | str | None) -> str | None:
    """The lower-case e-mail of ``user`` (``st.user`` as a dict, or an e-mail), or None."""
    email = user if isinstance(user, str) else (user or {}).get("email")
    email = str(email).strip().lower() if email else ""
    return email if "@" in email else None


def role_of(user: Mapping[str, Any] | str | None, role_file: str | os.PathLike | None = None) -> Role:
    """The role of a logged-in ``user`` (``st.user`` as a dict, or an e-mail) in ``role_file``.

    A user missing from the file, without an e-mail, or whose provider says ``email_verified: false`` is a
    viewer. ``role_file`` defaults to :func:`role_file_path`.

    Raises
    ------
    RoleFileError
        When the role file is invalid (callers fail closed: everyone a viewer until it is fixed).

    Examples
    --------
    >>> roles = Path("roles.yaml")                              # doctests run in a scratch folder
    >>> _ = roles.write_text("users:\\n  Li.Lei@example.gov.cn: analyst\\n", encoding="utf-8")
    >>> role_of({"email": "li.lei@example.gov.cn", "is_logged_in": True}, roles)
    <Role.ANALYST: 2>
    >>> role_of({"email": "li.lei@example.gov.cn", "email_verified": False}, roles), role_of("x@y.cn", roles)
    (<Role.VIEWER: 1>, <Role.VIEWER: 1>)
    """
    roles = load_roles(role_file if role_file is not None else role_file_path())
    email = user_email(user)
    if email is None or (isinstance(user, Mapping) and user.get("email_verified") is False):
        return Role.VIEWER
    return roles.get(email, Role.VIEWER)


# ---------------------------------------------------------------- labels (zh, en) of access, uploads and the audit trail
LABELS: dict[str, tuple[str, str]] = {
    "role_viewer": ("查看者", "viewer"),
    "role_analyst": ("分析员", "analyst"),
    "role_admin": ("管理员", "admin"),
    "action_read": ("查看", "read"),
    "action_scenario_try": ("试算情景", "try a scenario"),
    "action_scenario_save": ("保存情景", "save a scenario"),
    "action_target_change": ("修改目标", "change a target"),
    "action_upload": ("上传文件", "upload a file"),
    "action_ingest": ("数据入库", "ingest data"),
    "action_run_start": ("启动批次运行", "start a batch run"),
    "action_scenario_delete": ("删除情景", "delete a scenario"),
    "action_audit_read": ("查看操作记录", "read the audit trail"),
    "denied": ("{role}无权{action}（需要{need}角色）。", "{role} may not {action} (it needs the {need} role)."),
    "local_mode": ("本机模式：未配置登录，本机上的每个人都是管理员。",
                   "Local mode: no login is configured; everyone on this machine is admin."),
    "login_prompt": ("请登录后使用。", "Please log in to continue."),
    "login_button": ("登录", "Log in"),
    "logout_button": ("退出登录", "Log out"),
    "login_unavailable": ("无法登录：服务器未安装 Authlib（pip install \"streamlit[auth]\"）。",
                          "Cannot log in: the server lacks Authlib (pip install \"streamlit[auth]\")."),
    "login_failed": ("无法登录，登录配置有误：{error}", "Cannot log in; the login configuration is wrong: {error}"),
    "login_required_missing": ("本部署要求登录，但 .streamlit/secrets.toml 中没有 [auth] 配置，应用不提供服务。",
                               "This deployment requires login, but .streamlit/secrets.toml has no [auth] section; "
                               "the app does not serve."),
    "signed_in": ("已登录：{who}（{role}）", "Signed in: {who} ({role})"),
    "role_file_error": ("角色文件有误，修正前所有人按查看者处理：{error}",
                        "The role file has an error; everyone is a viewer until it is fixed: {error}"),
    "viewer_note": ("查看者可以浏览和试算情景，不能保存、上传、入库或运行。",
                    "Viewers can read and try scenarios, but not save, upload, ingest or run."),
    "uploads_kept": ("上传的文件仅本账户可读，保存在 {path}，{days} 天后自动删除。",
                     "Uploaded files are private to the server's account, kept in {path} and deleted after {days} days."),
    "scn_file_taken": ("文件 {file} 已属于另一个情景“{other}”，未覆盖；请换一个名称。",
                       "The file {file} belongs to another scenario, \"{other}\"; it was not overwritten. Pick another name."),
    "audit_header": ("操作记录", "Audit trail"),
    "audit_none": ("尚无操作记录。", "No writes recorded yet."),
    "col_audit_at": ("时间(UTC)", "Time (UTC)"),
    "col_audit_who": ("操作人", "Who"),
    "col_audit_action": ("操作", "Action"),
    "col_audit_what": ("对象", "What"),
    "col_audit_before": ("之前", "Before"),
    "col_audit_after": ("之后", "After"),
    "audit_upload": ("上传", "upload"),
    "audit_ingest": ("入库", "ingest"),
    "audit_target_change": ("修改目标", "target change"),
    "audit_scenario_save": ("保存情景", "scenario saved"),
    "audit_scenario_delete": ("删除情景", "scenario deleted"),
    "audit_run_start": ("启动批次", "run started"),
    "audit_run_finish": ("批次结束", "run finished"),
}


def text(key: str, lang: str = "zh", **fields: Any) -> str:
    """The label ``key`` of this module in ``lang`` (``"zh"`` or ``"en"``), placeholders filled from ``fields``.

    Examples
    --------
    >>> text("local_mode", "en")
    'Local mode: no login is configured; everyone on this machine is admin.'
    """
    if lang not in ("zh", "en"):
        raise ValueError(f"lang={lang!r}; expected 'zh' or 'en'")
    s = LABELS[key][0 if lang == "zh" else 1]
    return s.format(**fields) if fields else s
