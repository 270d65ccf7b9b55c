"""LoRA training under torch.distributed: two processes (torchrun, gloo on this CPU) give the one-process loss curve."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import MILTON, run_milton
from milton.conversations import demo_conversations
from milton.models import tiny_llama

TORCHRUN = shutil.which("torchrun", path=str(Path(sys.executable).parent)) or "torchrun"
TOLERANCE = 1e-4      # |loss difference| per logged step: only the order of floating-point sums differs


def pairs_file(folder: Path, n: int = 40) -> Path:
    "The demo persona's first exchanges as instruction pairs."
    rows = [{"messages": [m for m in c.to_json()["messages"][:2]]} for c in demo_conversations()[:n]]
    f = folder / "pairs.jsonl"
    f.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return f


def train(home: Path, pairs: Path, out: Path, model: Path | None, settings: dict, processes: int) -> dict:
    args = ["train", str(pairs), "--out", str(out), "--json", *(a for k, v in settings.items() for a in ("-p", f"{k}={v}"))]
    args += ["--model", str(model)] if model else []
    if processes == 1: return json.loads(run_milton(home, *args).stdout)
    env = {**os.environ, "MILTON_HOME": str(home), "MILTON_THREADS": "1"}      # two processes on two cores
    r = subprocess.run([TORCHRUN, "--standalone", f"--nproc-per-node={processes}", MILTON, *args], env=env,
                       capture_output=True, text=True, timeout=1200)
    assert r.returncode == 0, r.stderr[-3000:]
    return json.loads(r.stdout)


def same_curve(one: dict, two: dict) -> float:
    "The largest loss difference between the two runs' logged steps (which must be the same steps)."
    assert [s for s, _ in one["losses"]] == [s for s, _ in two["losses"]]
    return max(abs(a - b) for (_, a), (_, b) in zip(one["losses"], two["losses"]))


def test_two_processes_train_like_one(tmp_path):
    tiny = tiny_llama(tmp_path / "tiny")
    pairs = pairs_file(tmp_path)
    settings = {"max_steps": 6, "grad_accum": 4, "batch_size": 2, "log_every": 1, "dropout": 0.0}   # no dropout: no per-process randomness
    one = train(tmp_path, pairs, tmp_path / "one", tiny, settings, 1)
    two = train(tmp_path, pairs, tmp_path / "two", tiny, settings, 2)
    assert (one["processes"], two["processes"]) == (1, 2)
    assert (one["tokens"], one["micro_steps"]) == (two["tokens"], two["micro_steps"])     # the same data, shared out
    assert same_curve(one, two) < TOLERANCE
    from safetensors.torch import load_file
    w1, w2 = (load_file(tmp_path / d / "adapter_model.safetensors") for d in ("one", "two"))
    assert w1.keys() == w2.keys() and max(float((w1[k] - w2[k]).abs().max()) for k in w1) < 1e-5   # the same adapter
    bad = run_milton(tmp_path, "train", str(pairs), "--out", str(tmp_path / "x"), "-p", "max_step=3", check=False)
    assert bad.returncode == 2 and "LoraParams" in bad.stderr


def test_two_processes_on_the_real_model(provisioned_home, tmp_path):
    settings = {"max_steps": 2, "grad_accum": 2, "batch_size": 2, "log_every": 1, "dropout": 0.0, "max_seq_len": 128}
    pairs = pairs_file(tmp_path, 8)
    one = train(provisioned_home, pairs, tmp_path / "one", None, settings, 1)
    two = train(provisioned_home, pairs, tmp_path / "two", None, settings, 2)
    assert one["losses"][0][1] < 6 and same_curve(one, two) < TOLERANCE
    print(f"real model: 1 process {one['tokens_per_s']:.0f} tokens/s, 2 processes {two['tokens_per_s']:.0f} tokens/s")
