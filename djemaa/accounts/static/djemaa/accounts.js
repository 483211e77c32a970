// Settings, enhanced. Without this script the Preview button re-shows the page with the
// signature rendered; with it, the preview follows the signature as it is typed.

// Sent with the fetch, so the server answers with the preview alone (see accounts/views.py).
const FRAGMENT_HEADER = "X-Djemaa-Fragment";
const PREVIEW_DELAY_MS = 700;

function enhanceSignatureForm(form) {
  const field = form.querySelector("textarea[name=signature]");
  const previewBox = form.querySelector(".signature-preview");
  if (!field || !previewBox) return;
  let timer = null;

  async function preview() {
    const data = new FormData(form);
    data.set("preview", "1");
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: data,
        headers: { [FRAGMENT_HEADER]: "1" },
        credentials: "same-origin",
      });
      if (!response.ok) return;
      previewBox.innerHTML = await response.text();
      previewBox.hidden = false;
    } catch {
      // Offline for a moment: the Preview button still works, and the next change retries.
    }
  }

  field.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(preview, PREVIEW_DELAY_MS);
  });
}

for (const form of document.querySelectorAll("form[data-signature-form]")) {
  enhanceSignatureForm(form);
}
