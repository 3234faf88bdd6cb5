// Live preview for the briefing editor. Each section's Markdown is posted to the server,
// which renders it through the project's one sanitising filter, and the result is shown
// under the field as you type. Without JavaScript the editor's Preview button does the
// same on the server. Loaded as a module file: the Content Security Policy forbids inline
// scripts.
const form = document.querySelector("form.app-editor");

if (form) {
  const url = form.dataset.previewUrl;
  const token = form.querySelector("input[name=csrf_token]")?.value ?? "";
  const timers = new Map();

  const render = async (textarea) => {
    const target = document.getElementById(textarea.dataset.preview);
    if (!target) return;
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token },
      body: new URLSearchParams({ text: textarea.value }),
    });
    if (!response.ok) return;
    const data = await response.json();
    // The HTML comes from the server's sanitising Markdown filter, never from the input.
    target.innerHTML = data.html;
    target.classList.toggle("app-preview--empty", !data.html);
  };

  form.querySelectorAll("textarea[data-preview]").forEach((textarea) => {
    textarea.addEventListener("input", () => {
      clearTimeout(timers.get(textarea));
      timers.set(textarea, setTimeout(() => render(textarea), 250));
    });
    render(textarea);
  });
}
