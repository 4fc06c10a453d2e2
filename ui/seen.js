// When a part first comes near the screen: what lies below the fold loads as the learner scrolls to it, not on a
// first visit, where it would take connections and bytes from what the page needs to go live.

// The body's class once the core is drawn and the parts below it are in their places (ui/page.js sets it): until
// then they sit higher than they will, and would seem near the screen.
export const LAID_OUT = "ae-drawn";

function laidOut() {
  return new Promise((resolve) => {
    const done = () => document.body.classList.contains(LAID_OUT);
    if (done()) return resolve();
    const watch = new MutationObserver(() => {
      if (!done()) return;
      watch.disconnect();
      resolve();
    });
    watch.observe(document.body, { attributes: true, attributeFilter: ["class"] });
  });
}

export async function seen(element, margin = "200px") {
  await laidOut();
  return new Promise((resolve) => {
    const watch = new IntersectionObserver((entries) => {
      if (!entries[0].isIntersecting) return;
      watch.disconnect();
      resolve();
    }, { rootMargin: margin });
    watch.observe(element);
  });
}
