"""The installed `milton` console script, as a newcomer would call it."""
import json

from conftest import run_milton


def test_help_lists_commands(tmp_path):
    out = run_milton(tmp_path, "--help").stdout
    for command in ("config", "models", "run", "runs", "demo"):
        assert command in out


def test_models_list_json(tmp_path):
    rows = {r["name"]: r for r in json.loads(run_milton(tmp_path, "models", "list", "--json").stdout)}
    assert rows["smollm2-135m-instruct-gguf"]["status"] == "ready"
    assert rows["all-minilm-l6-v2"]["status"] == "ready"
    assert rows["smollm2-135m-instruct"]["status"].startswith("not provisioned")
    assert not (tmp_path / "checkpoints" / "base").exists()  # listing never provisions
    assert rows["qwen2.5-coder-1.5b-instruct"]["source"].startswith("22 pinned pieces")


def test_chat_models_are_checked(tmp_path):
    r = run_milton(tmp_path, "models", "provision", "gpt-4", check=False)
    assert r.returncode == 2 and "choose one of smollm2-135m-instruct" in r.stderr
    empty_cache = {"MILTON_CACHE": str(tmp_path / "cache"), "MILTON_CHAT_MODEL": "qwen2.5-coder-0.5b-instruct"}
    r = run_milton(tmp_path, "ask", "what is my cat called?", check=False, env=empty_cache)
    assert r.returncode == 2 and "milton models provision qwen2.5-coder-0.5b-instruct" in r.stderr and "Traceback" not in r.stderr


def test_bad_parameter_is_a_clear_error(tmp_path):
    r = run_milton(tmp_path, "run", "bench_engines", "-p", "max_new_tokens", check=False)
    assert r.returncode == 2
    assert "key=value" in r.stderr and "Traceback" not in r.stderr


def test_users_keys_and_serve_refusals(tmp_path):
    added = json.loads(run_milton(tmp_path, "users", "add", "ada", "--json").stdout)
    assert added["user"] == "ada" and added["key"].startswith(f"mk-{added['key_id']}.")
    assert added["key"] not in (tmp_path / "users" / "keys.json").read_text()          # stored only as a hash
    listed = json.loads(run_milton(tmp_path, "users", "list", "--json").stdout)
    assert [(k["key_id"], k["user"], k["revoked_at"]) for k in listed] == [(added["key_id"], "ada", None)]
    revoked = json.loads(run_milton(tmp_path, "users", "revoke", "ada", "--json").stdout)
    assert revoked[0]["key_id"] == added["key_id"] and revoked[0]["revoked_at"]
    r = run_milton(tmp_path, "users", "revoke", "ada", check=False)
    assert r.returncode == 2 and "no active key" in r.stderr
    r = run_milton(tmp_path, "serve", check=False)                                      # every key is revoked
    assert r.returncode == 2 and "milton users add NAME" in r.stderr and "Traceback" not in r.stderr
    r = run_milton(tmp_path, "serve", "--no-auth", "--host", "0.0.0.0", check=False)
    assert r.returncode == 2 and "without API keys" in r.stderr
    r = run_milton(tmp_path, "serve", "--no-auth", "--workers", "0", check=False)
    assert r.returncode == 2 and "workers must be 1 to" in r.stderr


def test_pilot_and_weekly_report(tmp_path):
    """Two tiny pilot days of the code assistant's owner, then the weekly report; wrong names are clear errors."""
    res = json.loads(run_milton(tmp_path, "pilot", "--persona", "sam", "--days", "2", "--tiny", "--json").stdout)
    assert [w["days"] for w in res["weeks"]] == [[1, 2]] and len(res["weeks"][0]["runs"]) == 2
    assert sorted(p.name for p in (tmp_path / "runs" / "pilot-sam").glob("day-*.json")) == ["day-01.json", "day-02.json"]
    report = run_milton(tmp_path, "report", "weekly", "--persona", "sam").stdout
    assert "Sam Okoro (code assistant) — week 1 of the pilot, days 1–2" in report and "## The nights" in report
    week = json.loads(run_milton(tmp_path, "report", "weekly", "--persona", "sam", "--week", "1", "--json").stdout)
    assert week["runs"] == res["weeks"][0]["runs"]
    r = run_milton(tmp_path, "report", "weekly", "--persona", "lena", check=False)
    assert r.returncode == 2 and "milton pilot --persona lena" in r.stderr
    r = run_milton(tmp_path, "pilot", "--persona", "nobody", "--days", "1", "--tiny", check=False)
    assert r.returncode == 2 and "choose one of lena, noor, sam" in r.stderr
