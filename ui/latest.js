// Run an async job for the newest request only: one run at a time, a request made meanwhile replaces the one
// waiting, and at most one run per display frame. Every live loop of the page goes through it.
const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));

export function latest(job) {
  let waiting = null; // {arg} of the newest request not yet run
  let running = false;
  return function request(arg) {
    waiting = { arg };
    if (running) return;
    running = true;
    (async () => {
      while (waiting) {
        await frame();
        const next = waiting.arg;
        waiting = null;
        try {
          await job(next);
        } catch (err) {
          console.error(err);
        }
      }
      running = false;
    })();
  };
}
