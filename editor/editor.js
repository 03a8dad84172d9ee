// The task editor's code editor (spec/platform.md §9.3): CodeMirror 6 with line numbers and Liquid
// highlighting over the script and subscriptions-template text areas. The text area stays the
// form's field: every edit is written back to it and announced with an "input" event, so saving
// and the live preview see it as before. Bundled into static/tasks_app/editor.js by build.sh.
import { EditorView, basicSetup } from "codemirror";
import { liquid } from "@codemirror/lang-liquid";

function attach(textarea) {
  const view = new EditorView({
    doc: textarea.value,
    extensions: [
      basicSetup,
      liquid(),
      EditorView.lineWrapping,
      EditorView.updateListener.of((update) => {
        if (!update.docChanged) return;
        textarea.value = update.state.doc.toString();
        textarea.dispatchEvent(new Event("input", { bubbles: true }));
      }),
    ],
  });
  textarea.style.display = "none";
  textarea.insertAdjacentElement("afterend", view.dom);
  view.dom.classList.add("hub-code-editor");
  view.dom.setAttribute("data-for", textarea.id);
  return view;
}

// The editors by text area id, and a way to move the cursor to a line (the live preview's
// "Go to line" links use it).
window.hubEditors = {};
window.hubGoToLine = (id, number) => {
  const view = window.hubEditors[id];
  if (!view) return;
  const line = view.state.doc.line(Math.max(1, Math.min(number, view.state.doc.lines)));
  view.dispatch({ selection: { anchor: line.from }, scrollIntoView: true });
  view.focus();
};

document.addEventListener("DOMContentLoaded", () => {
  ["id_script", "id_subscriptions_template"].forEach((id) => {
    const textarea = document.getElementById(id);
    if (textarea) window.hubEditors[id] = attach(textarea);
  });
});
