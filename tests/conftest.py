"""Shared fixtures: every test runs against a temporary MILTON_HOME, never the owner's real one."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

MILTON = shutil.which("milton", path=str(Path(sys.executable).parent)) or "milton"
# The suite runs on SmolLM2-135M, as `make test` sets it (see the Makefile): the mechanisms are the same for every
# chat model and it answers about four times faster; test_real_model.py asks the served default itself.
os.environ.setdefault("MILTON_CHAT_MODEL", "smollm2-135m-instruct")


@pytest.fixture(scope="session")
def provisioned_home(tmp_path_factory) -> Path:
    """A temporary home with the real fp32 base checkpoint provisioned once for the session."""
    home = tmp_path_factory.mktemp("milton-home")
    run_milton(home, "models", "provision", "--json")
    return home


def run_milton(home: Path, *args: str, check: bool = True, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the installed `milton` console script with MILTON_HOME=home (and `env` on top of this environment)."""
    env = {**os.environ, "MILTON_HOME": str(home), **(env or {})}
    r = subprocess.run([MILTON, *args], env=env, capture_output=True, text=True, timeout=1800)   # generous: a busy machine runs a nightly several times slower
    if check and r.returncode != 0:
        raise AssertionError(f"milton {' '.join(args)} exited {r.returncode}:\n{r.stdout}\n{r.stderr}")
    return r
