"""Imports flow one way (CONVENTIONS): models <- services <- schemas <- blueprints; services
flush and the request layer commits.

The rules read the source with `ast` (nothing is imported), so a violation fails here even when
it is hidden in a function body or behind `if TYPE_CHECKING:`. Relative imports are resolved.
Every rule walks its folder with all its sub-packages (services/trace/, services/valuechain/,
...): a test plants violations in a throwaway tree of packages to show they are found there.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROJECT = frozenset({"blueprints", "config", "linkage", "models", "tests", "bench", "migrations"})

# The web layer: services take what they need of a request as arguments (or, for the caller's
# address, from `audit.remote_addr`, set by the web layer) and raise `linkage.services.errors`.
SERVICES_MUST_NOT_IMPORT = (
    "flask",  # flask_babel (translations) is allowed: it is a separate package
    "flask_login",
    "flask_wtf",
    "flask_smorest",
    "werkzeug",
    "blueprints",
    "linkage.errors",
    "linkage.security",
    "linkage.exports",
    "linkage.schemas",
)

# Explicit, documented exceptions: (module, imported module) -> reason. Keep this short.
SERVICE_EXCEPTIONS = {
    ("linkage.services.accounts", "werkzeug.security"): (
        "password hashing: pure functions (no request, no app), and the stored hashes are in "
        "Werkzeug's format"
    ),
    ("linkage.services.buyers", "werkzeug.security"): (
        "password hashing for buyer registration and password change, as accounts"
    ),
}

MODELS_MAY_IMPORT = ("linkage.extensions", "models")

# Modules made for the services to use without the web: they import no Flask at all.
WEB_FREE = ("linkage.services.errors", "linkage.tables")
WEB_PACKAGES = ("flask", "flask_babel", "flask_login", "werkzeug")


# Services flush and never commit: the view or API handler commits once, so one request is one
# transaction. The one exception, by module, with its reason (also in the module's docstring).
COMMITTING_SERVICES = {
    "linkage.services.orders.idempotency": (
        "an Idempotency-Key's stored answer is worth something only once committed with what "
        "the action wrote, and the request that loses the race for the key must roll back its "
        "failed insert before it reads the winner's answer: committing is part of the rule"
    ),
}


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(name: str, source: str, *, is_package: bool = False) -> Iterator[str]:
    """Every module a source imports: `import a.b` gives a.b; `from a import b` gives a and a.b
    (b may be a module); relative imports are resolved against `name`."""
    package = name if is_package else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            yield module
            yield from (f"{module}.{alias.name}" for alias in node.names if alias.name != "*")


def matches(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def service_violations(name: str, source: str, *, is_package: bool = False) -> list[str]:
    found = set()
    for module in imported_modules(name, source, is_package=is_package):
        for banned in SERVICES_MUST_NOT_IMPORT:
            if not matches(module, banned):
                continue
            if any(
                owner == name and matches(module, allowed) for owner, allowed in SERVICE_EXCEPTIONS
            ):
                continue
            found.add(f"{name} imports {module}")
    return sorted(found)


def model_violations(name: str, source: str, *, is_package: bool = False) -> list[str]:
    found = set()
    for module in imported_modules(name, source, is_package=is_package):
        if module.split(".")[0] not in PROJECT:
            continue  # a third-party or standard library module
        if not any(matches(module, allowed) for allowed in MODELS_MAY_IMPORT):
            found.add(f"{name} imports {module}")
    return sorted(found)


def commit_calls(source: str) -> list[int]:
    """The lines that call `commit()`: `db.session.commit()`, `session.commit()`, or a bare
    `commit()` (a bound method taken earlier)."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        function = node.func
        if (isinstance(function, ast.Attribute) and function.attr == "commit") or (
            isinstance(function, ast.Name) and function.id == "commit"
        ):
            lines.append(node.lineno)
    return sorted(lines)


def commit_violations(name: str, source: str) -> list[str]:
    if name in COMMITTING_SERVICES:
        return []
    return [f"{name} calls commit() on line {line}" for line in commit_calls(source)]


def sources(package: str, root: Path = ROOT) -> list[tuple[str, str, bool]]:
    """Every module of a package and of its sub-packages: (name, source, is a package)."""
    files = sorted((root / package.replace(".", "/")).rglob("*.py"))
    assert files, package
    return [
        (module_name(f, root), f.read_text(encoding="utf-8"), f.name == "__init__.py")
        for f in files
    ]


def test_services_import_nothing_of_the_web_layer():
    problems = [
        problem
        for name, source, is_package in sources("linkage.services")
        for problem in service_violations(name, source, is_package=is_package)
    ]
    assert problems == []


def test_services_never_commit():
    problems = [
        problem
        for name, source, _is_package in sources("linkage.services")
        for problem in commit_violations(name, source)
    ]
    assert problems == []


def test_the_commit_exception_is_still_needed_and_documented():
    """The excepted module still commits, and says why in its docstring."""
    modules = {name: source for name, source, _ in sources("linkage.services")}
    for name in COMMITTING_SERVICES:
        assert commit_calls(modules[name]), name
        docstring = ast.get_docstring(ast.parse(modules[name])) or ""
        assert "commits" in docstring and "test_architecture" in docstring, name


@pytest.mark.parametrize(
    ("source", "lines"),
    [
        ("db.session.commit()\n", [1]),
        ("def save():\n    db.session.flush()\n    session.commit()\n", [3]),
        ("class A:\n    def f(self):\n        self.session.commit()\n", [3]),
        ("finish = db.session.commit\ncommit = finish\ncommit()\n", [3]),
        ("db.session.flush()\nwith db.session.begin_nested():\n    pass\n", []),
        ("committed = True\ndb.session.execute(update(Lot))\n", []),
    ],
)
def test_the_commit_rule_catches_a_commit(source, lines):
    assert commit_calls(source) == lines
    found = commit_violations("linkage.services.valuechain.lots", source)
    assert len(found) == len(lines)
    assert commit_violations("linkage.services.orders.idempotency", source) == []


def test_the_rules_walk_every_package_of_the_services():
    names = {name for name, _source, _is_package in sources("linkage.services")}
    for package in ("listings", "orders", "trace", "valuechain"):
        assert f"linkage.services.{package}" in names
        assert any(name.startswith(f"linkage.services.{package}.") for name in names), package


def test_the_rules_find_violations_planted_in_sub_packages(tmp_path):
    """A throwaway tree shaped like the project: nested packages, relative imports."""
    planted = {
        "linkage/services/__init__.py": "",
        "linkage/services/trace/__init__.py": "from .. import audit\nfrom ... import security\n",
        "linkage/services/trace/queries.py": (
            "from ...errors import DomainError\nfrom ..scope import manages\n"
        ),
        "linkage/services/valuechain/deep/__init__.py": "",
        "linkage/services/valuechain/deep/lots.py": (
            "def save():\n    from flask import request\n    db.session.commit()\n"
        ),
        "models/market/__init__.py": "from ...linkage.services import audit\n",
    }
    for path, source in planted.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(source, encoding="utf-8")

    services = sources("linkage.services", tmp_path)
    found = sorted(
        problem
        for name, source, is_package in services
        for problem in service_violations(name, source, is_package=is_package)
    )
    commits = [
        problem
        for name, source, _is_package in services
        for problem in commit_violations(name, source)
    ]
    models = [
        problem
        for name, source, is_package in sources("models", tmp_path)
        for problem in model_violations(name, source, is_package=is_package)
    ]

    assert found == [
        "linkage.services.trace imports linkage.security",
        "linkage.services.trace.queries imports linkage.errors",
        "linkage.services.trace.queries imports linkage.errors.DomainError",
        "linkage.services.valuechain.deep.lots imports flask",
        "linkage.services.valuechain.deep.lots imports flask.request",
    ]
    assert commits == ["linkage.services.valuechain.deep.lots calls commit() on line 3"]
    assert models == [
        "models.market imports linkage.services",
        "models.market imports linkage.services.audit",
    ]


def test_the_service_exceptions_are_still_needed():
    """An exception whose import is gone must be removed from the list."""
    imports = {
        name: set(imported_modules(name, source, is_package=is_package))
        for name, source, is_package in sources("linkage.services")
    }
    for owner, allowed in SERVICE_EXCEPTIONS:
        assert any(matches(module, allowed) for module in imports[owner]), (owner, allowed)


def test_models_import_only_extensions_and_models():
    problems = [
        problem
        for name, source, is_package in sources("models")
        for problem in model_violations(name, source, is_package=is_package)
    ]
    assert problems == []


@pytest.mark.parametrize("name", WEB_FREE)
def test_modules_made_for_the_services_import_no_web_package(name):
    path = ROOT / (name.replace(".", "/") + ".py")
    modules = set(imported_modules(name, path.read_text(encoding="utf-8")))
    assert not [m for m in modules for web in WEB_PACKAGES if matches(m, web)]


@pytest.mark.parametrize(
    ("source", "banned"),
    [
        ("from flask import request\n", "flask"),
        ("import werkzeug.exceptions\n", "werkzeug.exceptions"),
        ("from ..errors import DomainError\n", "linkage.errors"),
        ("from linkage import security\n", "linkage.security"),
        ("def f():\n    from linkage.schemas.common import MAX_PAGE\n", "linkage.schemas.common"),
        ("from linkage.exports import Table\n", "linkage.exports"),
        ("from flask_login import current_user\n", "flask_login"),
        ("import blueprints.manage\n", "blueprints.manage"),
        ("from flask_babel import gettext\nfrom . import audit\n", None),
        ("from linkage.services.errors import NotFound\nimport flask_babel\n", None),
        ("from linkage.tables import Table\n", None),
    ],
)
def test_the_service_rule_catches_a_web_import(source, banned):
    found = service_violations("linkage.services.orders", source)
    if banned is None:
        assert found == []
    else:
        assert f"linkage.services.orders imports {banned}" in found, found


def test_an_exception_allows_only_its_own_import_in_its_own_module():
    allowed = "from werkzeug.security import check_password_hash\n"
    assert service_violations("linkage.services.accounts", allowed) == []
    assert service_violations("linkage.services.orders", allowed) != []
    other = "from werkzeug.exceptions import NotFound\n"
    assert service_violations("linkage.services.accounts", other) != []


@pytest.mark.parametrize(
    ("source", "ok"),
    [
        ("from linkage.extensions import db\nfrom .enums import Role\n", True),
        ("from flask_login import UserMixin\nimport sqlalchemy\n", True),
        ("from linkage.services import audit\n", False),
        ("from linkage.numbers import format_quantity\n", False),
        ("from blueprints.manage import bp\n", False),
        ("from ..linkage import errors\n", False),
    ],
)
def test_the_models_rule_catches_a_project_import(source, ok):
    assert (model_violations("models.accounts", source) == []) is ok


# --- blueprints -----------------------------------------------------------------------------
# Each audience's package (blueprints/<name>/) stands alone: it imports its own modules and the
# toolkit, the modules right under blueprints/ (common, forms, epcis_answers), never another
# package's modules; so the API and the pages never import each other either.


def blueprint_package(module: str) -> str | None:
    """'blueprints.manage.lots' -> 'manage'; None for the toolkit and the package itself."""
    parts = module.split(".")
    if parts[0] != "blueprints" or len(parts) < 2:
        return None
    package = ROOT / "blueprints" / parts[1]
    return parts[1] if package.is_dir() else None


def blueprint_violations(name: str, source: str, *, is_package: bool = False) -> list[str]:
    own = blueprint_package(name)
    found = set()
    for module in imported_modules(name, source, is_package=is_package):
        other = blueprint_package(module)
        if other is not None and other != own:
            found.add(f"{name} imports {module}")
    return sorted(found)


def test_a_blueprint_package_imports_no_other_blueprint_package():
    problems = [
        problem
        for name, source, is_package in sources("blueprints")
        if blueprint_package(name) is not None
        for problem in blueprint_violations(name, source, is_package=is_package)
    ]
    assert problems == []


@pytest.mark.parametrize(
    ("name", "source", "ok"),
    [
        ("blueprints.manage.trace", "from blueprints.api.trace import managers_epcis\n", False),
        ("blueprints.api.trace", "from ..manage import lots\n", False),
        ("blueprints.public.routes", "from blueprints.auth.routes import safe_next\n", False),
        ("blueprints.manage.trace", "from blueprints.epcis_answers import managers_epcis\n", True),
        ("blueprints.manage.lots", "from .valuechain_forms import noon\n", True),
        ("blueprints.manage.lots", "from blueprints.common import day\n", True),
    ],
)
def test_the_blueprint_rule_catches_a_cross_import(name, source, ok):
    assert (blueprint_violations(name, source) == []) is ok
