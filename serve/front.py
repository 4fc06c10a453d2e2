"""gradio's own front-end files that a first visit of this app loads, read from gradio's built assets: the page names
them all as it opens (a Link header) instead of learning them one import after another, and takes their stylesheets
as one file instead of a request each. Over HTTP/1.1 a browser keeps six connections to a host, so every request a
first visit makes holds one of them for a round trip."""
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import gradio

ASSETS = Path(gradio.__file__).parent / "templates" / "frontend" / "assets"
INDEX = ASSETS.parent / "index.html"
ENTRY = re.compile(r'<script type="module" crossorigin src="\./assets/([^"]+\.js)"')
DEPS = re.compile(r"m\.f=\[([^\]]*)\]")  # a chunk's __vite__mapDeps table: the files its dynamic imports need
STATIC = re.compile(r'(?:from|import)\s*"\./([^"]+)"')  # import{..}from"./x.js", import"./x.js"
LOADER = r"import\(`\./([^`]+)`\)[^,]*,(?:__vite__mapDeps\(\[([\d,]*)\]\)|\[\])"  # a dynamic import and its deps
# core-*.js's table of component loaders, type:{base:()=>..,example:()=>..,component:()=>..}
COMPONENT = re.compile(r"(\w+):\{((?:(?:base|example|component):\(\)=>\w+\(\(\)=>" + LOADER
                       + r",import\.meta\.url\),?)+)\}")
ALIASES = {"api": "state"}  # gradio's front-end draws an API-only event's component as a State
SHELL = ("Index-", "Blocks-")  # the app's shell, imported in turn from the entry: Index, then Blocks
URL = re.compile(rb"url\((?!\s*['\"]?data:)")  # a url() to anything but data: would resolve against another path


@dataclass(frozen=True)
class FrontEnd:
    """What a first visit loads of gradio's front-end, beyond the page's HTML and its own stylesheet."""
    scripts: list[str]  # the JS modules under /assets/, in the order gradio imports them
    styles: list[str]  # the stylesheets under /assets/ that gradio's loader would add one by one, in its order
    css: bytes  # those stylesheets as one file, in that order
    name: str  # that file's name under /assets/, by its digest


def read(name: str) -> str:
    return (ASSETS / name).read_text(encoding="utf-8")


def loaders(source: str, part: str | None = None) -> dict[str, list[str]]:
    """A chunk's dynamic imports (those in part of its source, or all): file -> the files vite's loader fetches with
    it, by the chunk's table."""
    deps = DEPS.search(source)
    table = [s.strip('"').removeprefix("./") for s in deps[1].split(",")] if deps else []
    return {name: [table[int(i)] for i in ids.split(",") if i] for name, ids in re.findall(LOADER, part or source)}


def gather(names: list[str], found: dict[str, None]) -> None:
    """Add names and, for each script, every module it imports statically, to found (an ordered set)."""
    for name in names:
        if name not in found:
            found[name] = None
            if name.endswith(".js"):
                gather(STATIC.findall(read(name)), found)


def front_end(types: set[str]) -> FrontEnd | None:
    """gradio's files a first visit of an app with components of these types loads; None where gradio's build is
    not as expected here (the page then loads as gradio makes it)."""
    try:
        entry = ENTRY.search(INDEX.read_text(encoding="utf-8"))[1]
        found: dict[str, None] = {}
        gather([entry], found)
        chunk = entry
        for prefix in SHELL:  # entry -> Index -> Blocks, each with the files its import needs
            chunk, deps = next((f, d) for f, d in loaders(read(chunk)).items() if f.startswith(prefix))
            gather([chunk, *deps], found)
        core = next(f for f in found if f.startswith("core-") and f.endswith(".js"))
        source = read(core)
        wanted = {ALIASES.get(t, t) for t in types}
        for match in COMPONENT.finditer(source):
            if match[1] in wanted:
                for name, deps in loaders(source, match[2]).items():
                    gather([name, *deps], found)
    except (OSError, TypeError, StopIteration, IndexError, ValueError):
        return None
    styles = [f for f in found if f.endswith(".css")]
    css = b"\n".join((ASSETS / f).read_bytes() for f in styles)
    if URL.search(css):  # the stylesheets would no longer find what they point to
        return None
    return FrontEnd([f for f in found if f.endswith(".js")], styles, css,
                    f"first-visit-{hashlib.sha256(css).hexdigest()[:12]}.css")


# Should the stylesheets as one fail to load, each is enabled again, and the browser fetches it as gradio would have
FALL_BACK = "for (const l of document.querySelectorAll('link[data-one]')) l.disabled = false"


def head(front: FrontEnd) -> bytes:
    """What the page's <head> gets: the stylesheets as one, and each of them named disabled, which a browser does
    not fetch and gradio's loader takes as already there (it adds a stylesheet only when no <link> names it)."""
    links = [f'<link rel="stylesheet" href="./assets/{front.name}" onerror="{FALL_BACK}">']
    links += [f'<link rel="stylesheet" href="./assets/{f}" data-one disabled>' for f in front.styles]
    return "".join(links).encode()
