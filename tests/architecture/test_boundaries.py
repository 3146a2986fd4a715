"""A service imports `shared` and itself, never another service: checked, not hoped."""

import ast
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


def test_domain_modules_do_no_io():
    forbidden = {"asyncpg", "aiokafka", "fastapi", "httpx", "sqlalchemy", "sqlmodel", "shared.db"}
    offenders = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in (ROOT / "services").rglob("domain.py")
        for module in imported_modules(path)
        if module in forbidden or module.split(".")[0] in forbidden
    ]
    assert not offenders
