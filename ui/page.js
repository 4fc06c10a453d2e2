// What the whole page needs once gradio has drawn it: each radio choice one group, so the keyboard reaches the
// group with one Tab and picks with the arrow keys. gradio names each option's input apart (five tab stops) and
// renames them on every change, so the shared name is put back whenever it changes.
function groupRadios(fieldset, name) {
  const rename = () => {
    for (const input of fieldset.querySelectorAll("input[type=radio]")) if (input.name !== name) input.name = name;
  };
  rename();
  new MutationObserver(rename).observe(fieldset, { subtree: true, childList: true, attributeFilter: ["name"] });
}

export function mount() {
  document.querySelectorAll("fieldset.block:has(input[type=radio])").forEach((f, i) => groupRadios(f, `choice-${i}`));
}
