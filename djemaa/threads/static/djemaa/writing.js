// Writing, enhanced. Without this script every button of the writing forms works as a plain
// form submission (Preview and Save draft re-show the page); with it:
// - the preview follows the text as it is typed, and the draft is saved every few seconds;
// - the submit button cannot be pressed twice (the server refuses a second post anyway);
// - Quote with part of a post selected quotes only that part, into the reply box;
// - "+ Quote" gathers posts for a multi-quote reply without reloading the page.

// Sent with each fetch, so the server answers with a fragment (see threads/views.py).
const FRAGMENT_HEADER = "X-Djemaa-Fragment";
const PREVIEW_DELAY_MS = 700;
const AUTOSAVE_EVERY_MS = 5000;

function send(form, action) {
  const data = new FormData(form);
  data.set("action", action);
  // getAttribute: the buttons are named "action", which hides the form's own property.
  return fetch(form.getAttribute("action"), {
    method: "POST",
    body: data,
    headers: { [FRAGMENT_HEADER]: "1" },
    credentials: "same-origin",
  });
}

function enhanceWritingForm(form) {
  const fields = form.querySelectorAll("textarea[name=source], input[name=title]");
  const previewBox = form.querySelector(".writing-preview");
  const status = form.querySelector(".writing-status");
  const autosave = form.hasAttribute("data-autosave");
  let previewTimer = null;
  let changedSinceSave = false;

  async function preview() {
    try {
      const response = await send(form, "preview");
      if (!response.ok) return;
      previewBox.innerHTML = await response.text();
      previewBox.hidden = false;
      // The server saves the draft with each preview.
      if (autosave) changedSinceSave = false;
    } catch {
      // Offline for a moment: the Preview button still works, and the next change retries.
    }
  }

  async function saveDraft() {
    changedSinceSave = false;
    try {
      const response = await send(form, "draft");
      if (response.ok && status) status.textContent = form.dataset.savedText;
    } catch {
      changedSinceSave = true;
    }
  }

  for (const field of fields) {
    field.addEventListener("input", () => {
      changedSinceSave = true;
      clearTimeout(previewTimer);
      previewTimer = setTimeout(preview, PREVIEW_DELAY_MS);
    });
  }
  if (autosave) {
    setInterval(() => {
      if (changedSinceSave) saveDraft();
    }, AUTOSAVE_EVERY_MS);
  }

  form.addEventListener("submit", (event) => {
    const action = event.submitter?.value;
    if (action === "preview") {
      event.preventDefault();
      preview();
    } else if (action === "draft") {
      event.preventDefault();
      saveDraft();
    } else {
      const button = form.querySelector("[data-submit]");
      // After the browser has read the form: a disabled button would be left out of it.
      setTimeout(() => {
        button.disabled = true;
      });
    }
  });
}

// The text of the selection, when it lies inside this post's body.
function selectionIn(article) {
  const selection = window.getSelection();
  const body = article?.querySelector(".post-body");
  if (!selection || selection.isCollapsed || !body) return "";
  const range = selection.getRangeAt(0);
  if (!body.contains(range.commonAncestorContainer)) return "";
  return selection.toString().trim();
}

function enhanceQuoting() {
  const box = document.querySelector(".reply-box textarea[name=source]");
  if (!box) return;
  // Pressing the link may collapse the selection before "click": read it on the way down.
  let pressed = "";
  document.addEventListener(
    "pointerdown",
    (event) => {
      const link = event.target.closest?.(".quote-action");
      pressed = link ? selectionIn(link.closest("article")) : "";
    },
    true,
  );
  document.addEventListener("click", (event) => {
    const link = event.target.closest?.(".quote-action");
    if (!link) return;
    const text = pressed || selectionIn(link.closest("article"));
    pressed = "";
    if (!text) return; // the whole post: the reply page quotes it from its source
    event.preventDefault();
    const quote = `[quote=${link.dataset.author};${link.dataset.post}]\n${text}\n[/quote]\n`;
    const before = box.value && !box.value.endsWith("\n") ? `${box.value}\n` : box.value;
    box.value = before + quote;
    box.dispatchEvent(new Event("input", { bubbles: true }));
    box.focus();
    box.scrollIntoView({ block: "center" });
  });
}

function enhanceMultiQuote() {
  const note = document.querySelector(".multiquote-note");
  document.addEventListener("submit", async (event) => {
    const form = event.target.closest?.("form.multiquote");
    if (!form) return;
    event.preventDefault();
    try {
      const response = await send(form, "toggle");
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const { gathered, count } = await response.json();
      const button = form.querySelector("button");
      button.setAttribute("aria-pressed", String(gathered));
      button.textContent = gathered ? form.dataset.gatheredLabel : form.dataset.gatherLabel;
      if (note) note.hidden = count === 0;
    } catch {
      form.submit(); // let the plain form do it
    }
  });
}

for (const form of document.querySelectorAll("form.writing-form")) {
  enhanceWritingForm(form);
}
enhanceQuoting();
enhanceMultiQuote();
