// Aftercare's small page behaviours. No inline scripts anywhere: the Content-Security-Policy forbids them.
document.addEventListener("DOMContentLoaded", () => {
  // htmx requests carry the CSRF token from the page's meta tag.
  const token = document.querySelector('meta[name="csrf-token"]');
  document.body.addEventListener("htmx:configRequest", (event) => {
    if (token) event.detail.headers["X-CSRFToken"] = token.content;
  });
  // Forms that change with the ticket kind show only the fields of the chosen kind.
  document.querySelectorAll("[data-kind-select]").forEach((select) => {
    const update = () => {
      document.querySelectorAll("[data-kinds]").forEach((block) => {
        const shown = block.dataset.kinds.split(" ").includes(select.value);
        block.hidden = !shown;
      });
    };
    select.addEventListener("change", update);
    update();
  });
  // "Select all" checkboxes for bulk actions.
  document.querySelectorAll("[data-select-all]").forEach((box) => {
    box.addEventListener("change", () => {
      document.querySelectorAll(box.dataset.selectAll).forEach((b) => { b.checked = box.checked; });
    });
  });
  // Knowledge panel: "insert link into reply" puts an article's title and address at the reply's cursor.
  document.body.addEventListener("click", (event) => {
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
  // Charts (the SLA compliance report): the configuration sits in the canvas's data-chart attribute,
  // and the page loads the vendored Chart.js only where a chart is shown.
  document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
    if (window.Chart) new window.Chart(canvas, JSON.parse(canvas.dataset.chart));
  });
  // Results that htmx swaps in (the queue's filtered table) bring new "select all" boxes.
  document.body.addEventListener("htmx:afterSwap", (event) => {
    event.detail.target.querySelectorAll("[data-select-all]").forEach((box) => {
      box.addEventListener("change", () => {
        document.querySelectorAll(box.dataset.selectAll).forEach((b) => { b.checked = box.checked; });
      });
    });
  });
});
