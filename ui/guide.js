// The guided path: eight short steps, each pointing at the live part it is about (those the page shows); a step
// that asks a question shows its answer only once the learner has chosen. Optional and skippable; its step lives in
// this page only (a reload starts it again), so nothing is stored or sent.
import { mostChanging } from "./sweep.js";
import { state } from "./store.js";

const STEPS = [
  { target: "#canvas", text: "Draw a 3 on the canvas. The encoder squeezes it into ten numbers; the decoder " +
      "rebuilds the image from those alone. The reconstruction beside it is what comes back." },
  { target: "#network", text: "This is the network itself, live for your drawing: each box is one layer's output. " +
      "Point at or tap a layer to see its code and what it does; the ten bars in the middle are the code." },
  { target: "#sliders", text: "Which of the ten numbers changes your drawing the most? Guess, then check the strips " +
      "under the tracks: each shows what the decoder draws as that number alone moves.",
    choices: Array.from({ length: 10 }, (_, i) => `z${i}`), answer: strongest },
  { target: "#out", text: "Drag that slider. The decoded image now leaves the reconstruction behind, and the meter " +
      "says how far the code has moved from every training digit's." },
  { target: "#sampling", text: "If ten numbers make a digit, what do ten random numbers, drawn from N(0, I), make?",
    choices: ["a clear new digit", "mostly blurs and mixtures"], right: 1,
    answer: () => "Press Sample and see: most come back as blurs, and the line above the grid gives the share that " +
      "lands among real digits. The autoencoder was never asked to put its codes where N(0, I) draws them." },
  { target: "#latent-map", text: "Each dot on the map is a test digit's code, squashed to two dimensions. The " +
      "crosses and squares are your samples: a hollow square is one the meter finds far from every training code." },
  { target: "#prior", text: "A VAE has the same layers, but its training pulls its codes towards N(0, I). Will the " +
      "same random codes decode to digits there?", choices: ["yes, more often", "no, just as badly"], right: 0,
    answer: () => "Yes, far more often: press the button and compare the two grids. The VAE was built to be " +
      "sampled, the autoencoder only to reconstruct." },
  { target: "#replay", text: "Last, watch the models learn: press play and see the autoencoder's codes spread into " +
      "arms with gaps between them, while the VAE's are pulled into one round cloud." },
];

// The number whose strip changes the drawing most, said as the answer to step 3 (choice: the learner's guess).
function strongest(choice) {
  const found = mostChanging();
  if (found === null) return "The strips are not drawn here, so the page cannot say: try each slider in turn.";
  const drawn = state.results ? "your drawing" : "the sliders' code";
  return `${choice === found ? "Right: " : ""}z${found} changes ${drawn} the most: its strip's images differ ` +
    "the most. Yet no number means one thing alone (a slant, a thickness): each strip turns one digit into others.";
}

// The steps whose part the page shows now (the presenter view folds the network away).
const shown = () => STEPS.filter((s) => document.querySelector(s.target)?.getClientRects().length);

function unmark() {
  for (const old of document.querySelectorAll(".ae-guide-target")) old.classList.remove("ae-guide-target");
}

function pointAt(selector) {
  unmark();
  const target = document.querySelector(selector);
  if (!target) return;
  target.classList.add("ae-guide-target");
  target.scrollIntoView({ block: "center", behavior: "smooth" });
}

export function mount(element) {
  const panel = element.querySelector(".ae-guide-panel");
  const open = () => document.querySelector("#guide-open"); // gradio may draw the bar's button after this part
  const part = (cls) => panel.querySelector(cls);
  const [choices, answer] = [part(".ae-guide-choices"), part(".ae-guide-answer")];
  let step = 0; // in shown()

  function reveal(button, i) {
    const s = shown()[step];
    for (const b of choices.children) b.setAttribute("aria-pressed", String(b === button));
    answer.textContent = ("right" in s ? (i === s.right ? "Right. " : "Not quite. ") : "") + s.answer(i);
    answer.hidden = false;
  }

  function show(n) {
    const steps = shown();
    step = Math.min(Math.max(n, 0), steps.length - 1);
    const s = steps[step];
    part(".ae-guide-count").textContent = `Step ${step + 1} of ${steps.length}`;
    part(".ae-guide-text").textContent = s.text;
    choices.replaceChildren(...(s.choices ?? []).map((label, i) => {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = label;
      b.setAttribute("aria-pressed", "false");
      b.addEventListener("click", () => reveal(b, i));
      return b;
    }));
    answer.hidden = true;
    answer.textContent = "";
    part(".ae-guide-back").disabled = step === 0;
    part(".ae-guide-next").textContent = step === steps.length - 1 ? "Done" : "Next";
    pointAt(s.target);
  }

  function toggle(on) {
    panel.hidden = !on;
    open()?.setAttribute("aria-pressed", String(on));
    if (on) show(step);
    else unmark();
  }

  document.addEventListener("click", (e) => e.target.closest?.("#guide-open") && toggle(panel.hidden));
  part(".ae-guide-close").addEventListener("click", () => toggle(false));
  part(".ae-guide-back").addEventListener("click", () => show(step - 1));
  const last = () => step === shown().length - 1;
  part(".ae-guide-next").addEventListener("click", () => (last() ? toggle(false) : show(step + 1)));
  panel.addEventListener("keydown", (e) => { if (e.key === "Escape") toggle(false); });
}
