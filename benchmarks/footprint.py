"""What serving costs a laptop: time from start to serving, and resident memory after a first visit and every button.

python benchmarks/footprint.py                                # with this venv's python
python benchmarks/footprint.py --python /tmp/lean/bin/python  # an app-only venv (pip install -r requirements.txt)

Starts `app.py` with the given python on a free port, times the first HTTP 200 of the page, then loads the page as a
first visit would (every file headless chromium fetches, over HTTP, no cache), presses every button once through the
API (Sample with each strategy, N(0, I), Interpolate from a drawing, encode, decode, reconstruct, prepare) and reads
the server's resident memory (VmRSS and its peak VmHWM). With --venv it also prints the venv's size on disk and
whether torch imports in it. Repeats --repeats times and prints medians.
"""
import argparse
import json
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests" / "browser"), str(ROOT / "tests"), str(ROOT)]

from app_server import post_json, rss_mb, serve_app  # noqa: E402
from serve_load import first_visit  # noqa: E402

SEVEN = json.dumps({"strokes": [[[60, 50], [220, 50], [120, 250]]]})
PRESSES = [("sample", [s]) for s in ("normal", "uniform", "diag", "full", "gmm")] + [
    ("prior", []), ("interpolate", [-1, 3, SEVEN]), ("encode", [[[0.0] * 28] * 28]), ("decode", [[0.0] * 10]),
    ("reconstruct", [[[0.0] * 28] * 28]), ("prepare", [[[[10, 10], [50, 80]]]])]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--python", default=sys.executable, help="the python that serves app.py (default: this one)")
    p.add_argument("--repeats", type=int, default=3, help="starts to measure (default: 3)")
    return p.parse_args(argv)


def peak_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM) in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for pid {pid}")


def venv_facts(python: str) -> tuple[float, bool]:
    """The size in MB of the venv python belongs to, and whether torch imports there."""
    prefix = subprocess.run([python, "-c", "import sys; print(sys.prefix)"], capture_output=True,
                            text=True).stdout.strip()
    size = int(subprocess.run(["du", "-sm", prefix], capture_output=True, text=True).stdout.split()[0])
    has_torch = subprocess.run([python, "-c", "import torch"], capture_output=True).returncode == 0
    return size, has_torch


def one_start(python: str) -> dict:
    """Start the app once: seconds to serving, RSS after the first visit and after every button, the peak."""
    start = time.monotonic()
    with serve_app([python, "app.py"]) as served:
        serving_s = time.monotonic() - start
        for url in first_visit(served.url):
            with urllib.request.urlopen(url, timeout=30) as r:
                r.read()
        visit = rss_mb(served.pid)
        for name, data in PRESSES:
            status, text = post_json(f"{served.url}gradio_api/run/{name}", {"data": data})
            assert status == 200, f"{name}: HTTP {status} {text[:200]}"
        return {"serving_s": serving_s, "rss_visit_mb": visit, "rss_buttons_mb": rss_mb(served.pid),
                "peak_mb": peak_mb(served.pid)}


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    size, has_torch = venv_facts(args.python)
    runs = [one_start(args.python) for _ in range(args.repeats)]
    print(f"python: {args.python}; venv {size} MB on disk; torch importable there: {has_torch}")
    print(f"{args.repeats} starts, median (min to max):")
    for key, label in (("serving_s", "start -> serving (s)"), ("rss_visit_mb", "RSS after a first visit (MB)"),
                       ("rss_buttons_mb", "RSS after every button once (MB)"), ("peak_mb", "peak RSS (MB)")):
        xs = [r[key] for r in runs]
        print(f"  {label}: {statistics.median(xs):.2f} ({min(xs):.2f} to {max(xs):.2f})")


if __name__ == "__main__":
    main()
