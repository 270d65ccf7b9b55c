"""`kill -9` at every moment of a first import: the store that is left is readable, and holds all of the import or none."""
import json
import os
import signal
import subprocess
import time

import pytest

from conftest import MILTON, run_milton
from milton.conversations import demo_dir

DELAYS = [0.0, 0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 0.8, 1.2, 2.0]   # seconds after the store folder appears


@pytest.mark.parametrize("delay", DELAYS)
def test_kill_during_first_import_leaves_a_usable_store(tmp_path, delay):
    env = {**os.environ, "MILTON_HOME": str(tmp_path)}
    proc = subprocess.Popen([MILTON, "memory", "import", str(demo_dir() / "conversations.jsonl")], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    store, deadline = tmp_path / "data" / "memory", time.time() + 120
    while time.time() < deadline and proc.poll() is None and not any(store.glob("*.lance")): time.sleep(0.002)
    time.sleep(delay)
    os.killpg(proc.pid, signal.SIGKILL); proc.wait()
    stats = run_milton(tmp_path, "memory", "stats", "--user", "ada", "--json", check=False)
    if stats.returncode == 2:                                   # killed before the import committed: nothing of it
        assert "no memories for user 'ada'" in stats.stderr and "Traceback" not in stats.stderr
        n = 0
    else:
        assert stats.returncode == 0, stats.stderr
        n = json.loads(stats.stdout)["memories"]
        assert n == 135                                         # all of it: an import is one commit
    again = run_milton(tmp_path, "memory", "import", str(demo_dir() / "conversations.jsonl"), "--json")   # and it can go on
    assert json.loads(again.stdout)["added"] == 135 - n
    hits = json.loads(run_milton(tmp_path, "memory", "search", "Which room is the reading group in?", "--user", "ada", "--json").stdout)
    assert any("C108" in h["text"] for h in hits)               # hybrid search works: the indexes are there
