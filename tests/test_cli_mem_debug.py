"""mem why, mem check and mem diff on the leak scenarios (leaky and fixed), and mem report."""

import json
import re
import runpy

import pytest
from typer.testing import CliRunner

from gradscope.cli._input import scenarios_dir
from gradscope.cli.app import app

ENV = {"COLUMNS": "120", "GRADSCOPE_DOT": None}
LEAKS = {  # scenario -> the checks its leaky variant must trip, and the lines they name
    "leak_loss_accumulation": {"loss_accumulated": "leak_loss_accumulation.py:40",
                               "growth": "leak_loss_accumulation.py:23"},
    "leak_retain_graph": {"retain_graph_unused": "leak_retain_graph.py:38",
                          "growth": "leak_retain_graph.py:35"},
    "leak_outputs_in_list": {"outputs_in_list": "leak_outputs_in_list.py:29",
                             "growth": "leak_outputs_in_list.py:29"},
    "leak_hook_capture": {"hook_capture": "leak_hook_capture.py:23",
                          "growth": "leak_hook_capture.py:21"},
}  # fmt: skip


def invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args], env=ENV)


def snake(obj):
    if isinstance(obj, dict):
        return all(re.fullmatch(r"[a-z0-9_:]+", k) and snake(v) for k, v in obj.items())
    if isinstance(obj, list):
        return all(snake(v) for v in obj)
    return True


@pytest.mark.parametrize("name", sorted(LEAKS))
def test_each_leak_is_found_and_its_fix_is_clean(name):
    res = invoke("mem", "check", name, "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert snake(out) and out["clean"] is False
    found = {f["check"]: f for f in out["findings"]}
    assert set(found) == set(LEAKS[name])
    for check, site in LEAKS[name].items():
        f = found[check]
        assert f["site"].endswith("/" + site), (check, f["site"])
        assert f["bytes"] > 0 and f["op"] and f["fix"]
    assert invoke("mem", "check", name, "--strict").exit_code == 1
    fixed = invoke("mem", "check", name, "--strict", "--", "--fixed")
    assert fixed.exit_code == 0, fixed.output
    assert fixed.stdout.splitlines()[-1].startswith("clean: no leaks or retained graphs found")


@pytest.mark.parametrize("name", sorted(LEAKS))
def test_the_scenarios_show_the_leak_and_the_fix(name, capsys):
    main = runpy.run_path(str(scenarios_dir() / f"{name}.py"), run_name=f"scenario_{name}")["main"]
    leaky, fixed = main(fixed=False), main(fixed=True)
    assert leaky["live"] == sorted(leaky["live"]) and leaky["live"][-1] > leaky["live"][1]
    assert len(set(fixed["live"][1:])) == 1 or name == "leak_outputs_in_list"
    out = capsys.readouterr().out
    assert "leaky:" in out and "fixed:" in out


def test_check_prints_each_finding_with_node_bytes_and_line():
    res = invoke("mem", "check", "leak_loss_accumulation")
    assert res.exit_code == 0
    s = res.stdout
    assert "2 findings" in s
    assert "loss accumulated with its graph: total sums 6 losses and keeps their graphs" in s
    assert re.search(
        r"AddBackward0 #\d+ at leak_loss_accumulation.py:40; 249.3 kB \(249,348 B\)", s
    )
    assert "fix: accumulate loss.item() (a number) or loss.detach()" in s


def test_why_shows_the_chain_from_the_variable_to_the_buffer():
    res = invoke("mem", "why", "leak_loss_accumulation", "--top", "1")
    assert res.exit_code == 0, res.output
    s = res.stdout
    assert re.search(r"buffer \d+: 32,768 B activation \(64, 128\) float32, saved for backward, "
                     r"made by TanhBackward0 #\d+ at leak_loss_accumulation.py:23", s)  # fmt: skip
    assert "held by total  [main, leak_loss_accumulation.py:42]" in s
    assert re.search(
        r"-> tensor #\d+, grad_fn AddBackward0 #\d+ \(leak_loss_accumulation.py:40\)", s
    )
    assert "-> saved as `result`" in s
    assert "pattern: graph kept alive by a loss accumulated without .item()" in s


def test_why_one_buffer_as_json_and_a_buffer_that_is_not_live(tmp_path):
    saved = tmp_path / "hook.gstrace"
    assert invoke("run", "leak_hook_capture", "--save", saved, "--no-graph").exit_code == 0
    top = json.loads(invoke("mem", "why", saved, "--json", "--top", "1").stdout)
    assert snake(top)
    buf = top["buffers"][0]
    assert buf["pattern"] == "hook_closure" and buf["reasons"][0]["refs"][0]["via"] == "hook"
    one = json.loads(invoke("mem", "why", saved, "--json", "--buffer", buf["buffer"]).stdout)
    assert one["buffers"][0]["buffer"] == buf["buffer"]
    bad = invoke("mem", "why", saved, "--buffer", buf["buffer"], "--at", "end")
    assert bad.exit_code == 2
    assert re.fullmatch(r"gradscope: error: buffer \d+ is not live at the end \(allocated at seq "
                        r"\d+, freed at seq \d+\)\n", bad.stderr)  # fmt: skip


def test_diff_between_two_marks_and_between_two_traces(tmp_path):
    leaky, fixed = tmp_path / "leaky.gstrace", tmp_path / "fixed.gstrace"
    assert invoke("run", "leak_outputs_in_list", "--save", leaky, "--no-graph").exit_code == 0
    assert (
        invoke(
            "run", "leak_outputs_in_list", "--save", fixed, "--no-graph", "--", "--fixed"
        ).exit_code
        == 0
    )
    res = invoke(
        "mem", "diff", leaky, "--from", "batch 1 (leaky)", "--to", "batch 6 (leaky)", "--json"
    )
    d = json.loads(res.stdout)
    assert snake(d) and d["same_trace"] and d["change_bytes"] == 5 * 41_984
    rows = {(r["role"], r["op"]): r for r in d["by_node"]}
    assert rows[("saved", "ReluBackward0")]["added_count"] == 5
    assert rows[("saved", "ReluBackward0")]["site"].endswith("leak_outputs_in_list.py:29")
    marks = ("--from", "batch 6 (leaky)", "--to", "batch 6 (fixed)")
    two = json.loads(invoke("mem", "diff", leaky, fixed, *marks, "--json").stdout)
    assert not two["same_trace"] and two["change_bytes"] == 6 * 1_024 - 6 * 41_984
    text = invoke("mem", "diff", leaky, fixed, *marks).stdout
    assert "Memory diff" in text and "by node (op and the line that ran it)" in text
    assert "ReluBackward0" in text and "leak_outputs_in_list.py:29" in text
    bad = invoke("mem", "diff", leaky, "--from", "no such mark")
    assert bad.exit_code == 2 and "no mark 'no such mark'" in bad.stderr


def test_report_lists_the_peak_with_chains_and_runs_the_checks():
    res = invoke("mem", "report", "leak_outputs_in_list")
    assert res.exit_code == 0
    s = res.stdout
    assert "what the peak is made of" in s and "outputs kept in a list" in s
    assert "leak checks" in s and "outputs kept in a container with their graphs" in s
    rep = json.loads(invoke("mem", "report", "leak_outputs_in_list", "--json").stdout)
    assert snake({k: v for k, v in rep.items() if k not in ("by_device",)})
    assert rep["names_recorded"] is True
    top = rep["peak_buffers"][0]
    assert (
        top["category"] == "saved"
        and top["op"] == "ReluBackward0"
        and top["pattern"] == "outputs_in_list"
    )
    assert top["held_by"] == ["predictions[...]"]
    assert [s["op"] for s in top["chain"]] == ["SoftmaxBackward0", "MmBackward0", "ReluBackward0"]
    assert {f["check"] for f in rep["findings"]} == {"outputs_in_list", "growth"}
    clean = json.loads(invoke("mem", "report", "mlp_training", "--json").stdout)
    assert clean["findings"] == []


def test_help_lists_the_new_commands():
    res = invoke("mem", "--help")
    for cmd in ("report", "why", "check", "diff"):
        assert cmd in res.stdout


def test_the_python_example_in_debugging_md_prints_what_the_page_shows(tmp_path):
    import subprocess
    import sys

    page = (scenarios_dir().parent / "docs" / "debugging.md").read_text(encoding="utf-8")
    section = page[page.index("### From Python: `tr.why()`") :]
    code = section[section.index("```python\n") + 10 :]
    code = code[: code.index("```")]
    shown = section[section.index("```text\n") + 8 :]
    shown = shown[: shown.index("```")]
    script = tmp_path / "why_example.py"
    script.write_text(code)
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == shown


def test_debugging_md_links_resolve():
    docs = scenarios_dir().parent / "docs"
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", (docs / "debugging.md").read_text()):
        assert "://" in target or (docs / target).exists(), target


@pytest.mark.parametrize("name", ["leak_loss_accumulation", "leak_retain_graph"])
def test_growth_per_iteration_matches_the_live_bytes_printed_under_it(name):
    res = invoke("mem", "check", name, "--json")
    assert res.exit_code == 0, res.output
    (f,) = [f for f in json.loads(res.stdout)["findings"] if f["check"] == "growth"]
    per = int(re.search(r"grow by ([\d,]+) B per iteration", f["title"])[1].replace(",", ""))
    head, _, values = f["details"][0].partition(": ")
    assert head == "live bytes at each iteration (all of them, weights and inputs included)"
    live = [int(v.replace(",", "")) for v in values.split(", ")]
    assert {b - a for a, b in zip(live[1:], live[2:])} == {per}
    listed = [
        int(m.replace(",", "")) for d in f["details"][1:] for m in re.findall(r"\(([\d,]+) B\)", d)
    ]
    assert sum(listed) == f["bytes"]


def test_why_does_not_blame_a_retained_graph_for_a_weight_its_variable_holds():
    res = invoke("mem", "why", "leak_retain_graph", "--top", "1", "--json")
    assert res.exit_code == 0, res.output
    (buf,) = json.loads(res.stdout)["buffers"]
    assert buf["name"] == "Wh" and buf["reasons"][0]["kind"] == "variable"
    assert "retain_graph_unused" in [r["pattern"] for r in buf["reasons"]]
    assert buf["pattern"] is None
