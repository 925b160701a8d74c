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
  // Results that htmx swaps in (the queue's filtered table) bring new "select all" boxes.
  document.body.addEventListener("htmx:afterSwap", (event) => {
    event.detail.target.querySelectorAll("[data-select-all]").forEach((box) => {
      box.addEventListener("change", () => {
        document.querySelectorAll(box.dataset.selectAll).forEach((b) => { b.checked = box.checked; });
      });
    });
  });
});
