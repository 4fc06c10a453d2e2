"""The repository as a Hugging Face Space: README front matter that matches the pins, no file over 10 MB."""
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml  # PyYAML: a dependency of gradio

ROOT = Path(__file__).resolve().parent.parent
MAX_FILE_BYTES = 10_000_000  # Spaces refuses files over 10 MB pushed without Git LFS
COLOURS = {"red", "yellow", "green", "blue", "indigo", "purple", "pink", "gray"}  # what Spaces accepts


@pytest.fixture(scope="module")
def card() -> dict:
    """README.md's YAML front matter: the block between the first two `---` lines."""
    readme = ROOT / "README.md"
    assert readme.is_file(), "README.md is missing: Spaces reads the app's configuration from its front matter"
    match = re.match(r"---\n(.*?)\n---\n", readme.read_text(), re.S)
    assert match, "README.md must start with YAML front matter between two '---' lines"
    meta = yaml.safe_load(match.group(1))
    assert isinstance(meta, dict), f"the front matter is not a mapping: {meta!r}"
    return meta


def pinned(package: str) -> str:
    """The version requirements.txt pins for package (`name==version`)."""
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        m = re.fullmatch(rf"{re.escape(package)}==([\w.]+)\s*(#.*)?", line.strip(), re.I)
        if m:
            return m.group(1)
    raise AssertionError(f"requirements.txt does not pin {package}==<version>")


def test_the_space_runs_gradio_at_the_pinned_version(card):
    assert card.get("sdk") == "gradio"
    assert str(card.get("sdk_version")) == pinned("gradio"), "sdk_version must equal requirements.txt's gradio pin"


def test_the_app_file_exists(card):
    assert card.get("app_file"), "app_file is missing"
    assert (ROOT / card["app_file"]).is_file(), f"app_file {card['app_file']} does not exist"


def test_the_python_version_is_a_quoted_version(card):
    # unquoted, YAML reads 3.10 as the number 3.1: Spaces would get the wrong Python
    version = card.get("python_version")
    assert isinstance(version, str), f"python_version must be a quoted string like \"3.11\", got {version!r}"
    assert re.fullmatch(r"3\.\d+(\.\d+)?", version), f"python_version {version!r} is not a Python 3 version"


def test_the_card_names_a_licence(card):
    assert isinstance(card.get("license"), str) and card["license"].strip(), "license is missing"


def test_the_card_fields_spaces_checks_are_valid(card):
    assert isinstance(card.get("title"), str) and card["title"].strip(), "title is missing"
    for key in ("colorFrom", "colorTo"):
        if key in card:
            assert card[key] in COLOURS, f"{key} must be one of {sorted(COLOURS)}, got {card[key]!r}"
    if "short_description" in card:
        assert len(card["short_description"]) <= 60, "short_description is longer than the 60 characters Spaces allows"


def test_every_tracked_file_is_under_10_mb():
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    names = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout.split(b"\0")
    sizes = {n.decode(): (ROOT / n.decode()).stat().st_size for n in names if n and (ROOT / n.decode()).is_file()}
    assert sizes, "git ls-files listed nothing"
    big = {n: s for n, s in sizes.items() if s >= MAX_FILE_BYTES}
    assert not big, f"files of 10 MB or more need Git LFS on Spaces: {big}"
