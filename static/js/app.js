// Aftercare's small page behaviours. No inline scripts anywhere: the Content-Security-Policy forbids them.
// Listeners sit on the document (event delegation), so content that htmx swaps in works like the rest.
document.documentElement.classList.add("js");

(() => {
  const token = document.querySelector('meta[name="csrf-token"]');

  // htmx requests carry the CSRF token from the page's meta tag.
  document.addEventListener("htmx:configRequest", (event) => {
    if (token) event.detail.headers["X-CSRFToken"] = token.content;
  });

  // A form marked data-swap-errors shows the server's answer to bad input (400, 409) in place, as a
  // full page would; htmx leaves error responses unswapped otherwise.
  document.addEventListener("htmx:beforeSwap", (event) => {
    const status = event.detail.xhr.status;
    const source = (event.detail.requestConfig && event.detail.requestConfig.elt) || event.detail.elt;
    if ((status === 400 || status === 409) && source && source.closest("[data-swap-errors]")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // The header's menu folds away on a phone behind its "Menu" button.
  document.addEventListener("click", (event) => {
    const toggle = event.target.closest("[data-nav-toggle]");
    if (!toggle) return;
    const menu = document.getElementById(toggle.getAttribute("aria-controls"));
    const open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    menu.classList.toggle("open", open);
  });

  // Forms that change with the ticket kind show only the fields of the chosen kind.
  const showKindBlocks = (select) => {
    document.querySelectorAll("[data-kinds]").forEach((block) => {
      block.hidden = !block.dataset.kinds.split(" ").includes(select.value);
    });
  };
  document.addEventListener("change", (event) => {
    if (event.target.matches("[data-kind-select]")) showKindBlocks(event.target);
  });

  // "Select all" checkboxes for bulk actions.
  document.addEventListener("change", (event) => {
    const box = event.target.closest("[data-select-all]");
    if (!box) return;
    document.querySelectorAll(box.dataset.selectAll).forEach((b) => { b.checked = box.checked; });
  });

  // File inputs with a translated button (.file-picker): list the chosen files next to it.
  document.addEventListener("change", (event) => {
    const input = event.target;
    if (!input.matches(".file-picker input[type=file]")) return;
    const names = input.closest(".file-picker").querySelector(".file-names");
    if (!names) return;
    const chosen = Array.from(input.files || []).map((f) => f.name);
    names.textContent = chosen.length ? chosen.join(", ") : names.dataset.empty;
  });

  // Ctrl+Enter (or Cmd+Enter) in a text area sends its form with the form's first button. A click, not
  // requestSubmit(): htmx learns which button sent a form from the click.
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return;
    const area = event.target.closest("textarea[data-submit-on-ctrl-enter]");
    const button = area && area.form && area.form.querySelector("button[type=submit], input[type=submit]");
    if (!button) return;
    event.preventDefault();
    button.click();
  });

  // Knowledge panel: "insert link into reply" puts an article's title and address at the reply's cursor.
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-insert-target]");
    if (!button) return;
    const target = document.querySelector(button.dataset.insertTarget);
    if (!target) return;
    const text = button.dataset.insertText;
    const start = target.selectionStart ?? target.value.length;
    const end = target.selectionEnd ?? target.value.length;
    const before = target.value.slice(0, start);
    const gap = before && !before.endsWith("\n") ? "\n" : "";
    target.value = before + gap + text + "\n" + target.value.slice(end);
    target.focus();
    target.selectionStart = target.selectionEnd = start + gap.length + text.length + 1;
  });

  // Done for the page and for everything htmx brings in later.
  const enhance = (root) => {
    root.querySelectorAll("[data-kind-select]").forEach(showKindBlocks);
    // Charts (the SLA compliance report): the configuration sits in the canvas's data-chart attribute,
    // and the page loads the vendored Chart.js only where a chart is shown.
    root.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
      if (window.Chart && !canvas.dataset.drawn) {
        new window.Chart(canvas, JSON.parse(canvas.dataset.chart));
        canvas.dataset.drawn = "1";
      }
    });
    const focus = root.querySelector("[data-autofocus]");
    if (focus && root !== document.body) focus.focus();
  };
  document.addEventListener("DOMContentLoaded", () => enhance(document.body));
  // A link to "#reply" (the queue's Shift+R) puts the cursor in the reply box. After the load, and a
  // turn later: the browser's own scroll to the fragment resets the focus when it happens.
  window.addEventListener("load", () => {
    if (location.hash !== "#reply") return;
    setTimeout(() => {
      const box = document.querySelector("#reply textarea");
      if (box) box.focus();
    });
  });
  document.addEventListener("htmx:load", (event) => {
    if (event.detail.elt !== document.body) enhance(event.detail.elt);
  });
})();
