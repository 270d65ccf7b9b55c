"""The nightly run as the scheduler starts it: `milton nightly` in a subprocess, on the tiny model (fast),
killed mid-run, rerun, rolled back; and once on the real base model."""
import json
import math
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import MILTON, run_milton
from milton.conversations import demo_dir
from milton.compress import CompressionResult
from milton.nightly import NightlyResult

def params(**kw) -> list[str]:
    "`-p key=value` arguments for `milton nightly`."
    return [a for k, v in kw.items() for a in ("-p", f"{k}={v}")]

SIZES = params(model="tiny", max_steps=3, grad_accum=1, log_every=1, probe_limit=8, general_limit=2, held_out_limit=2,
               max_new_tokens=4, maintain_memory="false", compress="")     # compression has its own tests (below, 15b, 16)
PROMOTE = params(min_gain=-1, tolerance=1, max_ppl_increase=100)      # the tiny model is promoted whatever it scores
TINY = params(user="ada", as_of="2026-10-12", since="2026-08-01") + SIZES


@pytest.fixture()
def ada_home(tmp_path) -> Path:
    run_milton(tmp_path, "memory", "import", str(demo_dir() / "conversations.jsonl"))
    return tmp_path


def adapters(home: Path, user: str = "ada") -> Path:
    return home / "checkpoints" / "lora_adapters" / user


def registry(home: Path, user: str = "ada") -> dict:
    f = adapters(home, user) / "registry.json"
    return json.loads(f.read_text()) if f.exists() else {"active": None, "versions": []}


def nightly(home: Path, *extra: str) -> dict:
    return json.loads(run_milton(home, "nightly", *TINY, *extra, "--json").stdout)


def test_nightly_trains_gates_and_rolls_back(ada_home):
    rec = nightly(ada_home, *PROMOTE)
    assert rec["status"] == "ok"
    m = NightlyResult.from_json(rec["metrics"])
    assert m.decision == "promoted" and m.reason      # the first adapter is gated against the base model with min_gain=-1
    assert m.data["train"] > 40 and m.training["steps"] == 3 and m.probes["counts"]["total"] >= 40
    assert {(s.model, s.memory) for s in m.scores} == {("active", True), ("active", False), ("candidate", True), ("candidate", False)}
    assert 0 <= m.score("candidate", True).probe_accuracy() <= 1 and m.gate.guards["held_out_perplexity"]["ok"]
    reg = registry(ada_home)
    (v,) = reg["versions"]
    folder = adapters(ada_home) / v["version"]
    for f in ("adapter_config.json", "adapter_model.safetensors", "adapter.gguf", "manifest.json", "metrics.json"):
        assert (folder / f).is_file(), f
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["data"]["sha256"] == m.data["sha256"] and len(manifest["memory_ids"]) == m.data["train"]
    assert manifest["probes"]["version"] == m.probes["version"]
    assert (ada_home / "reports" / f"{rec['run_id']}.html").stat().st_size > 10_000
    from tensorboard.backend.event_processing.event_multiplexer import EventMultiplexer
    tb = EventMultiplexer().AddRunsFromDirectory(str(ada_home / "runs" / rec["run_id"] / "tensorboard")).Reload()
    tags = {t for run in tb.Runs().values() for t in run.get("scalars", [])}
    assert {"train/loss", "train/learning_rate", "eval/probe_accuracy/gate/candidate/memory", "eval/perplexity/held_out/active/no_memory"} <= tags
    # too little new data: the next night skips, with the reason, and changes nothing
    skipped = json.loads(run_milton(ada_home, "nightly", *params(user="ada", as_of="2026-10-12", since="2026-10-10"), *SIZES, "--json").stdout)
    assert skipped["metrics"]["decision"] == "skipped" and "min_new_conversations" in skipped["metrics"]["reason"]
    assert registry(ada_home) == reg
    # history, rollback to the base model and back
    hist = json.loads(run_milton(ada_home, "training", "history", "--json").stdout)
    assert hist["versions"][0]["version"] == v["version"]
    assert json.loads(run_milton(ada_home, "training", "rollback", "--to", "base", "--json").stdout) == {"active": None}
    assert v["status"] == "active"
    assert json.loads(run_milton(ada_home, "training", "rollback", "--to", v["version"], "--json").stdout) == {"active": v["version"]}
    bad = run_milton(ada_home, "training", "rollback", "--to", "v-nope", check=False)
    assert bad.returncode == 2 and "neither a version" in bad.stderr
    # forgetting: the owner deletes a memory the serving adapter trained on and wants it out of the weights now
    trained = manifest["memory_ids"][0]
    gone = json.loads(run_milton(ada_home, "memory", "delete", trained, "--user", "ada", "--forget-now", "--json").stdout)
    assert gone["adapters_trained_on_them"] == [v["version"]] and gone["active_trained_on_them"] and gone["active"] is None
    assert registry(ada_home)["versions"][0]["forgotten"] == [trained]


@pytest.mark.parametrize("when", ["training", "later"])
def test_killing_the_nightly_run_leaves_the_registry_valid(ada_home, when):
    first = nightly(ada_home, *PROMOTE)
    assert first["metrics"]["decision"] == "promoted"
    before = registry(ada_home)
    env = {**os.environ, "MILTON_HOME": str(ada_home)}
    proc = subprocess.Popen([MILTON, "nightly", *TINY, "-p", "max_steps=40", "-p", "max_epochs=50"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    staging = adapters(ada_home)
    deadline = time.time() + 300
    while time.time() < deadline and not list(staging.glob(".staging-*")):
        time.sleep(0.05)
    assert list(staging.glob(".staging-*")), "the run never reached training"
    if when == "later": time.sleep(2.0)
    os.killpg(proc.pid, signal.SIGKILL); proc.wait()
    assert registry(ada_home) == before                                        # the old adapter still serves
    assert (staging / before["active"] / "adapter_config.json").is_file()
    again = nightly(ada_home)
    assert again["status"] == "ok" and again["metrics"]["cleaned_staging"]      # the next run starts clean
    assert not list(staging.glob(".staging-*"))
    assert len(registry(ada_home)["versions"]) == 2


def test_compress_serves_the_chosen_variant(ada_home):
    nightly(ada_home, *PROMOTE)
    active = registry(ada_home)["active"]
    rec = json.loads(run_milton(ada_home, "compress", "--types", "Q8_0,Q4_0+imatrix", "--probe-limit", "4", "--json").stdout)
    res = CompressionResult.from_json(rec["metrics"])
    assert rec["status"] == "ok" and res.version == active and res.chosen in ("Q8_0", "Q4_0+imatrix")
    assert list(res.table().index) == ["fp32", "Q8_0", "Q4_0+imatrix", "F32 base + LoRA"]
    entry = registry(ada_home)["versions"][-1]
    assert entry["compressed"]["type"] == res.chosen
    assert (adapters(ada_home) / active / entry["compressed"]["file"]).is_file()
    models = json.loads(run_milton(ada_home, "models", "list", "--json").stdout)
    assert [m["status"] for m in models if (m["path"] or "").endswith(entry["compressed"]["file"])] == ["serving"]
    ans = json.loads(run_milton(ada_home, "ask", "What is my cat called?", "--json", "--max-tokens", "4").stdout)
    assert ans["adapter"] == active and ans["model"].endswith(entry["compressed"]["file"])   # the merged file answers
    bad = run_milton(ada_home, "compress", "--types", "Q9_9", check=False)
    assert bad.returncode == 2 and "unknown type" in bad.stderr


def test_nightly_on_the_real_base_model(ada_home):
    rec = nightly(ada_home, *params(model="base", max_steps=2, probe_limit=12, general_limit=4, held_out_limit=4, max_new_tokens=12,
                                    compress="Q8_0"))
    m = NightlyResult.from_json(rec["metrics"])
    assert rec["status"] == "ok" and m.decision in ("promoted", "rejected")   # a real gate on real scores: either is right
    if m.decision == "promoted":                      # compressed after promotion: the merged Q8_0 stays close to the fp32 model
        rows = {r["variant"]: r for r in m.compression["rows"]}
        assert m.compression["error"] == "" and set(rows) == {"fp32", "Q8_0", "Q4_1 base + LoRA"} and rows["Q8_0"]["kld"] < 0.02
    else: assert not m.compression
    assert m.training["steps"] == 2 and m.training["losses"][0][1] < 6   # a real model starts from a sensible loss
    assert 1 < m.score("active", False).metric("held_out", "perplexity") < 1000
    recall = m.score("active", True).probes.loc["fact", "evidence_recall"]
    assert 0 < recall <= 1 and math.isnan(m.score("active", False).probes.loc["fact", "evidence_recall"])   # recall only with memory


def test_the_only_user_is_the_owner(tmp_path, monkeypatch):
    """Conversations imported for one user (not MILTON_USER's default): `ask` and `nightly` find that user."""
    monkeypatch.delenv("MILTON_USER", raising=False)
    run_milton(tmp_path, "memory", "import", str(demo_dir() / "conversations.jsonl"), "--user", "ingrid")
    ans = run_milton(tmp_path, "ask", "What is my cat called?", "--json", "--max-tokens", "8")
    assert json.loads(ans.stdout)["memories"] and "using 'ingrid'" in ans.stderr
    rec = json.loads(run_milton(tmp_path, "nightly", *params(as_of="2026-10-12", since="2026-08-01"), *SIZES, "--json").stdout)
    assert rec["status"] == "ok" and rec["metrics"]["decision"] in ("promoted", "rejected")
    assert rec["metrics"]["user"] == "ingrid" and rec["metrics"]["probes"]["counts"]["total"] >= 40
    manifest = json.loads((tmp_path / "runs" / rec["run_id"] / "manifest.json").read_text())
    assert manifest["parameters"]["user"] == "ingrid"


def test_a_distillation_night_from_the_cli(ada_home):
    lessons = params(distill_limit=2, paraphrases=1, keep_wrong="true", top_k=4, teacher_tokens=4, compress="")   # no compression: not the point here
    rec = json.loads(run_milton(ada_home, "distill", "--method", "context", *TINY, *PROMOTE, *lessons, "--json").stdout)
    m = NightlyResult.from_json(rec["metrics"])
    assert (m.decision, m.data["distill"]["method"], m.data["distill"]["kept"], m.training["with_teacher"]) == ("promoted", "context", 2, 2)
    manifest = json.loads((adapters(ada_home) / m.version / "manifest.json").read_text())
    assert manifest["parameters"]["distill"] == "context" and manifest["memory_ids"]
    report = (ada_home / "reports" / f"{rec['run_id']}.html").read_text()
    assert "distillation (context)" in report
    bad = run_milton(ada_home, "distill", "--method", "osmosis", check=False)
    assert bad.returncode == 2 and "unknown distillation method" in bad.stderr
    bad = run_milton(ada_home, "distill", "--teacher", "gpt-9", *TINY, check=False)
    assert bad.returncode == 2 and "unknown chat model" in bad.stderr


def test_every_owner_has_their_own_night(ada_home):
    """`milton nightly --all-users`: each owner's night in turn, into each owner's registry; one failing never blocks the next."""
    run_milton(ada_home, "memory", "import", str(demo_dir() / "ravi" / "conversations.jsonl"))
    adapters(ada_home, "ada").mkdir(parents=True)
    (adapters(ada_home, "ada") / "registry.json").write_text("{not json")            # Ada's night fails first ...
    r = run_milton(ada_home, "nightly", "--all-users", *params(as_of="2026-10-12", since="2026-08-01", min_new_conversations=1),
                   *SIZES, *PROMOTE, "--json", check=False)
    assert r.returncode == 1
    nights = {n["user"]: n for n in json.loads(r.stdout)}
    assert nights["ada"]["decision"] == "failed" and nights["ravi"]["decision"] == "promoted"      # ... and Ravi's still ran
    assert registry(ada_home, "ravi")["active"] == nights["ravi"]["version"]
    manifest = json.loads((adapters(ada_home, "ravi") / nights["ravi"]["version"] / "manifest.json").read_text())
    assert manifest["user"] == "ravi" and manifest["memory_ids"]
    bad = run_milton(ada_home, "nightly", "--all-users", "--user", "ada", check=False)
    assert bad.returncode == 2 and "exclude each other" in bad.stderr
