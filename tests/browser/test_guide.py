"""The guided path (ui/guide.js): eight steps, each outlining a live part of the page; a question's answer shows only
after a choice, and the slider question's answer is the number whose strip changes most; the path is skippable and
keeps its step in the page alone."""
import numpy as np
from playwright.sync_api import Page, expect

from recording import open_app
from test_network import draw_seven
from test_sweeps import strips

TARGETS = ["#canvas", "#network", "#sliders", "#out", "#sampling", "#latent-map", "#prior", "#replay"]


def outlined(page: Page) -> list[str]:
    return page.eval_on_selector_all(".ae-guide-target", "(els) => els.map((e) => '#' + e.id)")


def test_each_step_outlines_the_live_part_it_is_about(app_page):
    page = app_page
    page.click("#guide-open")
    for n, target in enumerate(TARGETS):
        expect(page.locator(".ae-guide-count")).to_have_text(f"Step {n + 1} of {len(TARGETS)}")
        assert outlined(page) == [target], n
        assert page.locator(target).is_visible(), target
        page.click(".ae-guide-next")
    assert page.locator(".ae-guide-panel").is_hidden(), "Done on the last step closes the path"
    assert outlined(page) == []


def test_a_question_answers_only_after_a_choice_and_names_the_number_whose_strip_changes_most(app_page, draw):
    page = app_page
    draw_seven(page, draw)
    spread = [np.ptp(np.array(s["values"]).reshape(7, 784), axis=0).sum() for s in strips(page)]  # brute force
    page.click("#guide-open")
    page.click(".ae-guide-next")
    page.click(".ae-guide-next")
    answer = page.locator(".ae-guide-answer")
    assert answer.is_hidden() and answer.inner_text() == "", "the answer shows before a choice"
    best = int(np.argmax(spread))
    wrong = (best + 1) % 10
    page.click(f".ae-guide-choices button >> text=z{wrong}")
    expect(answer).to_be_visible()
    assert answer.inner_text().startswith(f"z{best} changes your drawing the most"), answer.inner_text()
    assert page.get_attribute(f".ae-guide-choices button >> text=z{wrong}", "aria-pressed") == "true"
    page.click(f".ae-guide-choices button >> text=z{best}")
    expect(answer).to_contain_text(f"Right: z{best} changes your drawing the most")
    page.click(".ae-guide-next")
    page.click(".ae-guide-next")  # what random codes decode to
    assert answer.is_hidden()
    page.click(".ae-guide-choices button >> text=a clear new digit")
    expect(answer).to_contain_text("Not quite. Press Sample")


def test_the_path_is_skippable_and_keeps_its_step_in_the_page_only(page, app_url):
    requests = []
    open_app(page, app_url)
    page.on("request", lambda r: requests.append(r.url))
    page.click("#guide-open")
    page.click(".ae-guide-next")
    page.click(".ae-guide-next")
    page.keyboard.press("Escape")
    assert page.locator(".ae-guide-panel").is_hidden() and outlined(page) == []
    page.click("#guide-open")
    expect(page.locator(".ae-guide-count")).to_have_text("Step 3 of 8")
    assert [u for u in requests if "/ui/" not in u] == [], "a step was sent to the server"
    assert page.evaluate("localStorage.length + sessionStorage.length") == 0
    open_app(page, app_url)
    page.click("#guide-open")
    expect(page.locator(".ae-guide-count")).to_have_text("Step 1 of 8")


def test_in_the_presenter_view_the_path_skips_the_folded_network(page, app_url):
    open_app(page, app_url + "?present")
    page.click("#guide-open")
    expect(page.locator(".ae-guide-count")).to_have_text(f"Step 1 of {len(TARGETS) - 1}")
    page.click(".ae-guide-next")
    assert outlined(page) == ["#sliders"]
