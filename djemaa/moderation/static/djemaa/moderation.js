// The reports queue, enhanced: resolving, dismissing or deleting from a report happens in
// place, and the handled report is marked as done with the server's sentence. Without this script each button is a plain
// form that comes back to the queue with a message.

// Asks the server for the outcome alone (see moderation/views.py, _act).
const FRAGMENT_HEADER = "X-Djemaa-Fragment";

function say(report, text, kind) {
  let note = report.querySelector(".report-note");
  if (!note) {
    note = document.createElement("p");
    note.className = "report-note";
    note.setAttribute("role", kind === "error" ? "alert" : "status");
    report.append(note);
  }
  note.className = `report-note message message-${kind}`;
  note.textContent = text;
}

async function act(form, submitter) {
  const report = form.closest(".report");
  const body = new FormData(form);
  if (submitter && submitter.name) body.set(submitter.name, submitter.value);
  for (const button of form.querySelectorAll("button")) button.disabled = true;
  try {
    const response = await fetch(form.action, {
      method: "POST",
      body,
      headers: { [FRAGMENT_HEADER]: "1" },
      credentials: "same-origin",
    });
    const text = await response.text();
    if (response.ok) {
      // Any action taken from a report settles it: the report leaves the queue.
      say(report, text, "success");
      report.classList.add("report-done");
      for (const control of report.querySelectorAll(".report-actions form button")) {
        control.disabled = true;
      }
      return;
    }
    if (response.status === 409) {
      say(report, text, "error");
    } else {
      form.submit(); // an unexpected answer: let the plain form show the page it leads to
    }
  } catch {
    form.submit(); // offline or refused: the plain form still works
  }
  for (const button of form.querySelectorAll("button")) button.disabled = false;
}

for (const form of document.querySelectorAll(".report-actions form")) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    act(form, event.submitter);
  });
}
