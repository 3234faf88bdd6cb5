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

// "Create a review": the partnership follows the review type's owning body (issue 20).
// The maps come from the server (config/review_types.toml and the partnerships' kinds);
// a partnership chosen by hand is left alone. Without JavaScript the partnership starts
// unchosen, and a link with ?type= chooses it on the server.
const typeSelect = document.querySelector("select[data-app-owning-bodies]");
const partnershipSelect = document.querySelector("select[data-app-partnership-kinds]");
if (typeSelect !== null && partnershipSelect !== null) {
  const owningBodies = JSON.parse(typeSelect.dataset.appOwningBodies);
  const kinds = JSON.parse(partnershipSelect.dataset.appPartnershipKinds);
  let chosenByHand = false;
  partnershipSelect.addEventListener("change", () => {
    chosenByHand = partnershipSelect.value !== "";
  });
  const follow = () => {
    const body = owningBodies[typeSelect.value];
    if (body === undefined || chosenByHand) {
      return;
    }
    const match = Array.from(partnershipSelect.options).find(
      (option) => kinds[option.value] === body,
    );
    if (match !== undefined) {
      partnershipSelect.value = match.value;
    }
  };
  typeSelect.addEventListener("change", follow);
  if (partnershipSelect.value === "") {
    follow();
  }
}
