// The task editor's live preview (spec/platform.md §9.3): re-render the task against its preview
// events a moment after the script, the subscriptions template or an option changes, and show the
// actions, logs and errors in the "Preview" region. Everything is drawn with textContent.
(function () {
  "use strict";
  const region = document.getElementById("task-preview");
  const form = document.getElementById("task_form");
  if (!region || !form) return;
  const body = region.querySelector(".preview-body");
  const status = region.querySelector(".preview-status");
  const WAIT_MS = 300;
  let timer = null;
  let sent = 0;

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function render(answer) {
    body.replaceChildren();
    const optionErrors = Object.entries(answer.option_errors || {});
    if (optionErrors.length) {
      const list = el("ul", null, "errorlist");
      optionErrors.forEach(([field, message]) => list.appendChild(el("li", field.replace("option__", "") + ": " + message)));
      body.appendChild(list);
    }
    (answer.results || []).forEach((result) => {
      const section = el("section", null, "preview-result");
      section.appendChild(el("h3", result.topic + (result.description ? " — " + result.description : "")));
      if (result.exception) {
        const note = el("p", result.exception, "errornote");
        const at = /\(line (\d+)/.exec(result.exception);
        if (at && window.hubGoToLine) {
          const jump = el("a", " Go to line " + at[1], "go-to-line");
          jump.href = "#";
          jump.addEventListener("click", (event) => { event.preventDefault(); window.hubGoToLine("id_script", Number(at[1])); });
          note.appendChild(jump);
        }
        section.appendChild(note);
      }
      (result.errors || []).forEach((error) => section.appendChild(el("p", JSON.stringify(error), "errornote")));
      const actions = el("ul", null, "preview-actions");
      (result.actions || []).forEach((action) => {
        const item = el("li");
        item.appendChild(el("strong", action.type + " action"));
        item.appendChild(el("pre", JSON.stringify(action.options, null, 2)));
        actions.appendChild(item);
      });
      if (!(result.actions || []).length) actions.appendChild(el("li", "No actions."));
      section.appendChild(actions);
      (result.logs || []).forEach((log) => section.appendChild(el("p", "log: " + JSON.stringify(log))));
      (result.notices || []).forEach((notice) => section.appendChild(el("p", notice, "help")));
      body.appendChild(section);
    });
    if (answer.permissions && answer.permissions.length) {
      body.appendChild(el("p", "Shopify scopes: " + answer.permissions.join(", ")));
    }
  }

  function refresh() {
    const number = ++sent;
    status.textContent = "Rendering…";
    fetch(region.dataset.url, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then((response) => response.json())
      .then((answer) => {
        if (number !== sent) return; // a newer render is on its way
        render(answer);
        status.textContent = "";
      })
      .catch((error) => { status.textContent = "Preview failed: " + error; });
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(refresh, WAIT_MS);
  }

  form.addEventListener("input", later);
  form.addEventListener("change", later);
  refresh();
})();
