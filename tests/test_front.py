"""gradio's front-end files a first visit loads, read from its build (serve/front.py), and the page's HTML that names
them (serve/files.py Announce): what the browser tests check against the browser, here without one."""
import re

import pytest
from starlette.applications import Starlette
from starlette.responses import HTMLResponse, PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

import serve.front
from serve.files import Announce, GradioFiles
from serve.front import ASSETS, front_end, head

TYPES = {"html", "markdown", "api", "button", "row", "column", "form", "dropdown", "radio"}  # app.py's


def test_the_first_visits_files_are_gradios_entry_shell_and_each_components():
    front = front_end(TYPES)
    entry = re.search(r'src="\./assets/([^"]+)"', serve.front.INDEX.read_text())[1]
    assert front.scripts[0] == entry  # the chain starts where the page's HTML does
    assert any(f.startswith("Blocks-") for f in front.scripts) and any(f.startswith("core-") for f in front.scripts)
    assert all((ASSETS / f).is_file() for f in front.scripts + front.styles)
    assert front.css == b"\n".join((ASSETS / f).read_bytes() for f in front.styles)
    fewer = front_end({"html"})  # the shell and one component's files are a part of them
    assert set(fewer.scripts) < set(front.scripts) and set(fewer.styles) < set(front.styles)


def test_a_gradio_build_not_as_expected_is_left_as_gradio_loads_it(tmp_path, monkeypatch):
    (tmp_path / "index.html").write_text("<html><head></head></html>")  # no entry script where one is looked for
    monkeypatch.setattr(serve.front, "INDEX", tmp_path / "index.html")
    assert front_end(TYPES) is None


def page_app(head_bytes: bytes) -> TestClient:
    async def page(request):
        return HTMLResponse("<html><head><title>t</title></head><body></body></html>")

    async def missing(request):
        return PlainTextResponse("gone", status_code=404)
    app = Starlette(routes=[Route("/", page), Route("/other", missing)])
    return TestClient(Announce(app, link=b"<ui/x.js>; rel=modulepreload", head=head_bytes))


def test_the_page_gets_its_head_and_link_and_nothing_else_does():
    front = front_end(TYPES)
    client = page_app(head(front))
    r = client.get("/")
    assert r.headers["link"] == "<ui/x.js>; rel=modulepreload"
    assert int(r.headers["content-length"]) == len(r.content)
    html = r.text
    assert html.count(f'href="./assets/{front.name}"') == 1 and html.index(front.name) < html.index("</head>")
    assert all(f'<link rel="stylesheet" href="./assets/{f}" data-one disabled>' in html for f in front.styles)
    other = client.get("/other")
    assert other.status_code == 404 and other.text == "gone" and "link" not in other.headers


@pytest.mark.parametrize("types", [{"html"}, TYPES])
def test_the_stylesheets_point_nowhere_but_data(types):
    css = front_end(types).css.decode()
    assert all(u.strip("'\"").startswith("data:") for u in re.findall(r"url\(\s*([^)]*)\)", css))


def test_the_stylesheets_as_one_are_served_beside_gradios_files():
    front = front_end(TYPES)
    client = TestClient(GradioFiles(Starlette(), extra={front.name: front.css}))
    plain = client.get(f"/assets/{front.name}", headers={"Accept-Encoding": "identity"})
    zipped = client.get(f"/assets/{front.name}", headers={"Accept-Encoding": "gzip"})
    assert plain.status_code == zipped.status_code == 200 and plain.content == zipped.content == front.css
    assert zipped.headers["content-encoding"] == "gzip" and plain.headers["content-type"].startswith("text/css")
