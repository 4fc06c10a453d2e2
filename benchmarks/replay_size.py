"""What the replay (#replay) costs: each of its files as served (raw and gzipped), what loads when it is scrolled to,
what loads as the pointer decodes, against the 3 MB target; and what recording added to each training run.

python benchmarks/replay_size.py

The shipped decoders that end the 2-D runs are the planes' own files, loaded once for both, and not counted here.
"""
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # `python benchmarks/...` finds ae

from ae.inference import load_assets  # noqa: E402
from serve.files import page_assets  # noqa: E402

TARGET_MB = 3.0


def main() -> None:
    table, problems = page_assets(load_assets())
    info = json.loads(table["replay.json"].body)
    on_scroll = ["replay.json"] + [run["pack"] for run in info["runs"].values()]
    shared = {f"{name}_decoder.onnx" for name in info["runs"]}  # the planes' decoders
    on_pointer = sorted({f for run in info["runs"].values() for f in run["decoders"].values()} - shared)
    print(f"problems: {problems or 'none'}\n\n| file | raw (KB) | gzip (KB) | loads |\n|---|---:|---:|---|")
    totals = {}
    for names, when in ((on_scroll, "when scrolled to"), (on_pointer, "as the pointer first decodes with it")):
        for name in names:
            raw, gz = len(table[name].body), len(table[name].encoded["gzip"])
            print(f"| {name} | {raw / 1e3:.0f} | {gz / 1e3:.0f} | {when} |")
            totals[when] = [a + b for a, b in zip(totals.get(when, [0, 0]), [raw, gz])]
    raw, gz = (sum(t[i] for t in totals.values()) for i in (0, 1))
    print()
    for when, (r, g) in totals.items():
        print(f"{when}: {r / 1e6:.2f} MB raw, {g / 1e6:.2f} MB gzip")
    print(f"all of the replay's files: {raw / 1e6:.2f} MB raw, {gz / 1e6:.2f} MB gzip (target: at most {TARGET_MB} MB)")
    print("\n| run | training (s) | of which recording (s) | test MSE on its 2,000 digits at the last point |\n"
          "|---|---:|---:|---:|")
    for name, run in info["runs"].items():
        print(f"| {name} | {run['wall_time_s']:.0f} | {run['recording_s']:.0f} | {run['test_mse'][-1]:.5f} |")


if __name__ == "__main__":
    main()
