"""A service imports `shared` and itself, never another service; inside it, each layer keeps
to its job: checked, not hoped."""

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = sorted(p.name for p in (ROOT / "services").iterdir() if (p / "__init__.py").exists())


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_imports_no_other_service(service):
    offenders = []
    for path in (ROOT / "services" / service).rglob("*.py"):
        for module in imported_modules(path):
            parts = module.split(".")
            if parts[0] == "services" and len(parts) > 1 and parts[1] != service:
                offenders.append(f"{path.relative_to(ROOT)} imports {module}")
    assert not offenders


def test_the_shared_platform_imports_no_service():
    offenders = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in (ROOT / "shared").rglob("*.py")
        for module in imported_modules(path)
        if module.split(".")[0] == "services"
    ]
    assert not offenders


# Pure layers: the rules (a lifecycle, a scoring, a policy) and the commands they are asked.
RULE_MODULES = {
    "domain.py",
    "lifecycle.py",
    "classification.py",
    "entry.py",
    "scoring.py",
    "decision.py",
    "rules.py",
    "policy.py",
    "clock.py",
    "commands.py",
}
IO_MODULES = {
    "asyncpg",
    "aiokafka",
    "fastapi",
    "httpx",
    "sqlalchemy",
    "sqlmodel",
    "shared.db",
    "shared.http",
    "shared.service",
    "shared.outbox",
    "shared.consumer",
}
SQL = re.compile(r"\b(SELECT\s.+\sFROM|INSERT INTO|UPDATE \S+ SET|DELETE FROM)\b", re.DOTALL)


def service_modules() -> list[Path]:
    """Runtime code of the services: migrations and table declarations speak to Alembic."""
    return [
        path
        for path in (ROOT / "services").rglob("*.py")
        if "migrations" not in path.parts and path.name != "tables.py"
    ]


def imports_any(module: str, forbidden: set[str]) -> bool:
    return any(module == name or module.startswith(name + ".") for name in forbidden)


def test_rule_modules_do_no_io():
    offenders = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in service_modules()
        if path.name in RULE_MODULES
        for module in imported_modules(path)
        if imports_any(module, IO_MODULES)
    ]
    assert not offenders


# A rule that imports a store or a handler does I/O one step removed, whatever it imports itself.
IMPURE_LAYERS = ("store", "handlers", "api", "timer", "app")


def test_rule_modules_import_no_impure_layer_of_a_service():
    offenders = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in service_modules()
        if path.name in RULE_MODULES
        for module in imported_modules(path)
        if module.startswith("services.") and module.rsplit(".", 1)[-1] in IMPURE_LAYERS
    ]
    assert not offenders


def imported_anywhere(path: Path) -> set[str]:
    """Every absolute import in the file, at module level or inside a function."""
    return imported_modules(path)


def _sources(root: Path) -> list[Path]:
    return sorted(root.rglob("*.py"))


# --- the platform ---------------------------------------------------------------------

TABLE_MODULES = ["shared.platform_tables", "shared.tables", "shared.migrations"] + [
    f"services.{s}.tables" for s in SERVICES
]


def test_declaring_tables_imports_neither_kafka_nor_fastapi():
    # A fresh interpreter: what importing the table modules pulls in, transitively.
    probe = (
        "import importlib, json, sys\n"
        f"for m in {TABLE_MODULES!r}: importlib.import_module(m)\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    loaded = set(json.loads(out.stdout))
    assert not loaded & {"aiokafka", "fastapi", "starlette"}, loaded & {"aiokafka", "fastapi"}


def test_the_unit_of_work_and_the_outbox_relay_do_not_import_each_other_in_a_cycle():
    assert "shared.outbox" not in imported_anywhere(ROOT / "shared" / "db.py")
    assert "shared.db" not in imported_anywhere(ROOT / "shared" / "outbox_rows.py")


# --- the services' shape (style.md: a folder per noun, files named by layer) ----------

SQL = re.compile(
    r"\bSELECT\b[\s\S]+\bFROM\b|\bINSERT\s+INTO\b|\bUPDATE\b[\s\S]+\bSET\b|\bDELETE\s+FROM\b",
    re.IGNORECASE,
)


def sql_literals(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and SQL.search(node.value)
        ):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def outside_stores(root: Path) -> list[Path]:
    return [p for p in _sources(root) if p.name != "store.py" and "migrations" not in p.parts]


def test_the_sql_pattern_finds_each_kind_of_statement():
    statements = [
        "SELECT id FROM t",
        "insert into t values (1)",
        "UPDATE t SET a = 1",
        "DELETE FROM t",
    ]
    assert all(SQL.search(s) for s in statements)
    assert not SQL.search("update the ticket") and not SQL.search("deleted from view")


@pytest.mark.parametrize("service", SERVICES)
def test_only_store_modules_hold_sql(service):
    offenders = [
        hit for p in outside_stores(ROOT / "services" / service) for hit in sql_literals(p)
    ]
    assert not offenders


@pytest.mark.parametrize("service", SERVICES)
def test_only_store_modules_import_asyncpg(service):
    offenders = [
        str(p.relative_to(ROOT))
        for p in outside_stores(ROOT / "services" / service)
        if any(m.split(".")[0] == "asyncpg" for m in imported_anywhere(p))
    ]
    assert not offenders


@pytest.mark.parametrize("service", SERVICES)
def test_handlers_never_import_the_http_layer(service):
    offenders = [
        f"{p.relative_to(ROOT)} imports {m}"
        for p in (ROOT / "services" / service).rglob("handlers.py")
        for m in imported_anywhere(p)
        if m == "shared.http" or m.startswith(("shared.http.", "fastapi", "starlette"))
    ]
    assert not offenders


# Rule modules are pure: they may use the contracts, the named errors and the other pure
# shared modules, never a driver, a framework or the platform's runtime.
IO_MODULES = {
    "asyncpg",
    "aiokafka",
    "fastapi",
    "starlette",
    "httpx",
    "aiohttp",
    "requests",
    "socket",
    "sqlalchemy",
    "sqlmodel",
    "subprocess",
    "asyncio",
}
PURE_SHARED = (
    {
        "shared.errors",
        "shared.clock",
        "shared.businesstime",
        "shared.sql",
        "shared.vocabulary",
        "shared.diagrams",
        "shared.lifecycle",
        "shared.events",
        "shared.events.base",
    }
    | {f"shared.events.{s}" for s in SERVICES}
    | {"shared.events.catalog"}
)
RULE_NAMES = ("domain.py", "lifecycle.py", "rules.py")


def io_imports(path: Path) -> list[str]:
    name = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
    return [
        f"{name} imports {m}"
        for m in imported_anywhere(path)
        if m.split(".")[0] in IO_MODULES or (m.split(".")[0] == "shared" and m not in PURE_SHARED)
    ]


def test_shared_rule_modules_import_no_io():
    offenders = [
        hit
        for name in ("businesstime.py", "clock.py", "sql.py", "errors.py", "lifecycle.py")
        if (ROOT / "shared" / name).exists()
        for hit in io_imports(ROOT / "shared" / name)
    ]
    assert not offenders


@pytest.mark.parametrize("service", SERVICES)
def test_service_rule_modules_import_no_io(service):
    offenders = [
        hit
        for name in RULE_NAMES
        for path in (ROOT / "services" / service).rglob(name)
        for hit in io_imports(path)
    ]
    assert not offenders


def test_the_io_check_catches_a_rule_module_that_reads_the_database(tmp_path):
    rules = tmp_path / "rules.py"
    rules.write_text(
        "from shared.db import UnitOfWork\nimport asyncpg\nfrom shared.errors import Conflict\n"
    )
    assert sorted(io_imports(rules)) == ["rules.py imports asyncpg", "rules.py imports shared.db"]


def test_the_layer_checks_see_every_service():
    # The checks above pass vacuously on a service with no store: make sure each has one.
    stores = {
        p.relative_to(ROOT / "services").parts[0] for p in (ROOT / "services").rglob("store.py")
    }
    assert stores == set(SERVICES)
