"""A service imports `shared` and itself, never another service; inside it, each layer keeps
to its job: checked, not hoped."""

import ast
import re
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
RULE_MODULES = {"domain.py", "lifecycle.py", "classification.py", "scoring.py", "rules.py",
                "policy.py", "commands.py"}
IO_MODULES = {"asyncpg", "aiokafka", "fastapi", "httpx", "sqlalchemy", "sqlmodel", "shared.db",
              "shared.http", "shared.service", "shared.outbox", "shared.consumer"}
SQL = re.compile(r"\b(SELECT\s.+\sFROM|INSERT INTO|UPDATE \S+ SET|DELETE FROM)\b", re.DOTALL)


def service_modules() -> list[Path]:
    """Runtime code of the services: migrations and table declarations speak to Alembic."""
    return [path for path in (ROOT / "services").rglob("*.py")
            if "migrations" not in path.parts and path.name != "tables.py"]


def imports_any(module: str, forbidden: set[str]) -> bool:
    return any(module == name or module.startswith(name + ".") for name in forbidden)


def test_rule_modules_do_no_io():
    offenders = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in service_modules() if path.name in RULE_MODULES
        for module in imported_modules(path)
        if imports_any(module, IO_MODULES)
    ]
    assert not offenders


def test_only_stores_import_the_database_driver():
    offenders = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in service_modules() if path.name != "store.py"
        for module in imported_modules(path)
        if imports_any(module, {"asyncpg"})
    ]
    assert not offenders


def test_only_stores_hold_sql():
    offenders = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in service_modules() if path.name != "store.py"
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.search(node.value)
    ]
    assert not offenders


def test_handlers_never_speak_http():
    offenders = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in service_modules() if path.name == "handlers.py"
        for module in imported_modules(path)
        if imports_any(module, {"shared.http", "fastapi", "starlette"})
    ]
    assert not offenders


def test_the_layer_checks_see_every_service():
    stores = {path.relative_to(ROOT / "services").parts[0] for path in service_modules()
              if path.name == "store.py"}
    assert stores == set(SERVICES)
