"""A full disk under MILTON_HOME, for real: a 200 KB tmpfs mounted in a private user and mount namespace (no root needed)."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import MILTON
from milton.conversations import demo_dir

SCRIPT = r"""
set -u
mount -t tmpfs -o size=200k tmpfs "$DISK"
export MILTON_HOME="$DISK/home"
head -n 10 "$DEMO" > "$DISK/../first.jsonl"
"$MILTON" memory import "$DISK/../first.jsonl" --json > "$OUT/first.json"; echo "first=$?" >> "$OUT/rc"
"$MILTON" memory import "$DEMO" --json > "$OUT/full.json" 2> "$OUT/full.err"; echo "full=$?" >> "$OUT/rc"
"$MILTON" memory stats --user ada --json > "$OUT/stats.json"; echo "stats=$?" >> "$OUT/rc"
"$MILTON" memory search "Which room is the reading group in?" --user ada --json > "$OUT/search.json"; echo "search=$?" >> "$OUT/rc"
mount -o remount,size=4m "$DISK"
"$MILTON" memory import "$DEMO" --json > "$OUT/again.json"; echo "again=$?" >> "$OUT/rc"
"""


def test_a_full_disk_is_a_clear_error_and_loses_nothing(tmp_path):
    if not shutil.which("unshare") or subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "true"]).returncode:
        pytest.skip("needs user namespaces (unshare) to mount a small filesystem without root")
    disk, out = tmp_path / "disk", tmp_path / "out"; disk.mkdir(); out.mkdir()
    env = {"DISK": str(disk), "OUT": str(out), "DEMO": str(demo_dir() / "conversations.jsonl"), "MILTON": MILTON,
           "PATH": "/usr/bin:/bin", "HOME": str(Path.home())}
    subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "bash", "-c", SCRIPT], env=env, timeout=600, check=True)
    rc = dict(line.split("=") for line in (out / "rc").read_text().split())
    assert rc == {"first": "0", "full": "2", "stats": "0", "search": "0", "again": "0"}, rc
    err = (out / "full.err").read_text()
    assert "is full: nothing of this write was stored" in err and "Traceback" not in err
    first = json.loads((out / "first.json").read_text())["added"]
    assert json.loads((out / "stats.json").read_text())["memories"] == first     # the failed import left nothing behind
    assert json.loads((out / "search.json").read_text())                        # and the store still answers
    assert json.loads((out / "again.json").read_text())["added"] == 135 - first  # with space again, the rest goes in
