// The Liquid console (spec/platform.md §9.8): render the snippet a moment after each change and
// show its output, the variables it assigned and the Shopify requests it made (textContent only).
(function () {
  "use strict";
  const form = document.getElementById("liquid-console");
  const region = document.getElementById("console-result");
  if (!form || !region) return;
  const part = (name) => region.querySelector(".console-" + name);
  let timer = null;
  let sent = 0;

  function refresh() {
    const number = ++sent;
    part("status").textContent = "Rendering…";
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then((response) => response.json())
      .then((answer) => {
        if (number !== sent) return;
        part("output").textContent = answer.output || "";
        part("error").hidden = !answer.error;
        part("error").textContent = answer.error || "";
        part("assigned").textContent = JSON.stringify(answer.assigned || {}, null, 2);
        part("shopify").textContent = (answer.shopify_calls || []).map((call) => JSON.stringify(call)).join("\n") || "none";
        part("status").textContent = "";
      })
      .catch((error) => { part("status").textContent = "Render failed: " + error; });
  }

  function later() { clearTimeout(timer); timer = setTimeout(refresh, 300); }
  form.addEventListener("input", later);
  form.addEventListener("change", later);
  refresh();
})();
