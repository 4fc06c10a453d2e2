// When a part first comes near the screen: what lies below the fold loads as the learner scrolls to it, not on a
// first visit, where it would take connections and bytes from what the page needs to go live.
export function seen(element, margin = "200px") {
  return new Promise((resolve) => {
    const watch = new IntersectionObserver((entries) => {
      if (!entries[0].isIntersecting) return;
      watch.disconnect();
      resolve();
    }, { rootMargin: margin });
    watch.observe(element);
  });
}
