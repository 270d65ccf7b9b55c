"""Every command in the guides (docs/*.md) runs, in order, in a fresh home: the docs cannot rot."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def bash_commands(doc: Path) -> list[str]:
    """The command lines of a guide's bash blocks (comment lines left out)."""
    blocks = re.findall(r"```bash\n(.*?)```", doc.read_text(encoding="utf-8"), re.S)
    return [line for block in blocks for line in block.splitlines() if line.strip() and not line.lstrip().startswith("#")]


@pytest.mark.parametrize("doc", sorted((ROOT / "docs").glob("*.md")), ids=lambda p: p.name)
def test_every_command_in_the_guide_runs(doc, tmp_path):
    """Each command exits 0, run as a reader would: from a folder where `data/` is the checkout's, with its own home."""
    work, home = tmp_path / "work", tmp_path / "home"
    work.mkdir(); home.mkdir(); (work / "data").symlink_to(ROOT / "data")
    env = {**os.environ, "MILTON_HOME": str(home), "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("MILTON_USER", None)
    commands = bash_commands(doc)
    assert commands, f"{doc.name} shows no command"
    for cmd in commands:
        r = subprocess.run(["bash", "-c", cmd], cwd=work, env=env, capture_output=True, text=True, timeout=1800)
        assert r.returncode == 0, f"{doc.name}: `{cmd}` exited {r.returncode}\n{r.stdout[-2000:]}\n{r.stderr[-3000:]}"
