"""Controls that say what they do: an output made from an earlier drawing says so, the map says whose samples it
cannot show, the decoded image says why it differs from the reconstruction, and the fallback's notice reads as
information, not as an error."""
from playwright.sync_api import Page, expect


def test_an_interpolation_of_an_earlier_drawing_is_marked_until_pressed_again(app_page: Page):
    app_page.click("#canvas .ae-clear")
    app_page.click("#interpolate")
    app_page.wait_for_selector("#interpolation .ae-message")
    assert app_page.locator("#interpolation .ae-stale").count() == 0
    app_page.locator(".ae-example").nth(3).click()  # a new drawing: the message no longer holds
    app_page.wait_for_selector("#interpolation .ae-stale")
    app_page.click("#interpolate")
    app_page.wait_for_selector("#interpolation .strip")
    app_page.wait_for_function("!document.querySelector('#interpolation .ae-stale')")


def test_the_map_says_when_its_samples_belong_to_another_model(app_page: Page):
    app_page.click("#sample")
    app_page.wait_for_selector("#latent-map .sample")
    assert app_page.locator("#latent-map .map-note").is_hidden()
    app_page.locator("#sliders label", has_text="PCA").click()
    note = app_page.locator("#latent-map .map-note")
    note.wait_for(state="visible")
    assert "autoencoder" in note.inner_text() and app_page.locator("#latent-map .sample").count() == 0
    app_page.locator("#sliders label", has_text="autoencoder").click()
    app_page.wait_for_selector("#latent-map .sample")
    assert note.is_hidden()


def test_the_fallback_notice_is_information(page: Page, app_url: str):
    page.goto(app_url + "?models=server")
    notice = page.locator("#canvas .ae-mode")
    notice.wait_for(state="visible", timeout=30_000)
    r, g, b = page.evaluate("(e) => getComputedStyle(e).color.match(/\\d+/g).slice(0, 3).map(Number)",
                            notice.element_handle())
    assert b > r, f"the notice is coloured like an error: rgb({r}, {g}, {b})"


def test_the_decoded_image_says_whether_it_is_the_reconstruction_and_which_numbers_moved(app_page: Page):
    page = app_page
    page.locator(".ae-example").nth(3).click()
    caption = page.locator("#decoded figcaption")
    expect(caption).to_contain_text("at your drawing's code: the reconstruction")
    expect(page.locator("#reconstruction figcaption")).to_contain_text("your drawing's own code")
    for i in (3, 5):
        page.focus(f"#z{i} input[type=range]")
        page.keyboard.press("End" if float(page.input_value(f"#z{i} input[type=range]")) < 0 else "Home")
    expect(caption).to_contain_text("z3, z5 moved off your drawing's code, so not the reconstruction")
    page.click("#z3 .reset")
    expect(caption).to_contain_text("z5 moved off")
    page.click("#sliders .ae-back")
    expect(caption).to_contain_text("at your drawing's code: the reconstruction")
