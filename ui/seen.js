// When a part first comes near the screen: what lies below the fold loads as the learner scrolls to it, not on a
// first visit, where it would take connections and bytes from what the page needs to go live.

// The body's class once the core is drawn and the parts below it are in their places (ui/page.js sets it): until
// then they sit higher than they will, and would seem near the screen.
export const LAID_OUT = "ae-drawn";

let laidOut = null; // -> once the body has that class; one watch for every part that waits on it

// -> once test() holds, checked as the body changes (what changes: options, as MutationObserver takes them)
export function until(test, options) {
  return new Promise((resolve) => {
    if (test()) return resolve();
    const watch = new MutationObserver(() => {
      if (!test()) return;
      watch.disconnect();
      resolve();
    });
    watch.observe(document.body, options);
  });
}

export async function seen(element, margin = "200px") {
  laidOut ??= until(() => document.body.classList.contains(LAID_OUT), { attributes: true, attributeFilter: ["class"] });
  await laidOut;
  return new Promise((resolve) => {
    const watch = new IntersectionObserver((entries) => {
      if (!entries[0].isIntersecting) return;
      watch.disconnect();
      resolve();
    }, { rootMargin: margin });
    watch.observe(element);
  });
}
