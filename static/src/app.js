// Starts GOV.UK Frontend's components. Loaded as a module, never inline, so the Content
// Security Policy needs no 'unsafe-inline'.
import { initAll } from "./govuk-frontend.min.js";

initAll();

// Fields that only some roles use (the partnerships a secretariat or chair user serves):
// shown, and submitted, only while such a role is chosen. Without JavaScript they are
// always shown, and the server refuses them for other roles with a message beside them.
for (const block of document.querySelectorAll("[data-app-shown-for-roles]")) {
  const roles = block.dataset.appShownForRoles.split(" ");
  const form = block.closest("form");
  if (form === null || block.querySelector(".govuk-form-group--error") !== null) {
    continue;
  }
  const sync = () => {
    const chosen = form.querySelector('input[name="role"]:checked');
    const show = chosen !== null && roles.includes(chosen.value);
    block.hidden = !show;
    for (const input of block.querySelectorAll("input")) {
      input.disabled = !show;
    }
  };
  for (const radio of form.querySelectorAll('input[name="role"]')) {
    radio.addEventListener("change", sync);
  }
  sync();
}
