// The queue from the keyboard: j/k select a ticket, Enter (or o) opens it, c claims it, r replies in
// place under its row, Shift+R opens it at its reply box, x ticks it, / searches, ? shows the help.
// Claims, bulk changes and replies come back as fresh results (htmx): the selection and the scroll
// position are put back, so the engineer does not lose their place.
(() => {
  const results = () => document.getElementById("queue-results");
  const rows = () => Array.from(document.querySelectorAll("#queue-results tr[data-ticket]"));
  const selected = () => document.querySelector('#queue-results tr[data-ticket][aria-current="true"]');
  let remembered = null; // { number, index, scrollY } across an htmx swap

  const select = (row, { focus = true } = {}) => {
    if (!row) return;
    rows().forEach((r) => {
      r.removeAttribute("aria-current");
      r.tabIndex = -1;
    });
    row.setAttribute("aria-current", "true");
    row.tabIndex = 0;
    if (focus) row.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
  };

  const move = (step) => {
    const all = rows();
    if (!all.length) return;
    const index = all.indexOf(selected());
    const next = index < 0 ? (step > 0 ? 0 : all.length - 1) : Math.min(all.length - 1, Math.max(0, index + step));
    select(all[next]);
  };

  const closeQuickReply = () => {
    document.querySelectorAll("tr.quick-reply-row").forEach((row) => row.remove());
  };

  const openQuickReply = (row) => {
    const existing = document.querySelector(`tr.quick-reply-row[data-for="${row.dataset.ticket}"]`);
    if (existing) {
      const box = existing.querySelector("textarea");
      if (box) box.focus();
      return;
    }
    closeQuickReply();
    const holder = document.createElement("tr");
    holder.className = "quick-reply-row";
    holder.dataset.for = row.dataset.ticket;
    const cell = document.createElement("td");
    cell.colSpan = row.cells.length;
    holder.appendChild(cell);
    row.after(holder);
    window.htmx.ajax("GET", row.dataset.quickReply, { target: cell, swap: "innerHTML" });
  };

  const claim = (row) => {
    const button = row.querySelector("[data-claim]");
    if (button) button.click();
  };

  const typing = (target) =>
    target.closest("input, textarea, select, [contenteditable=''], [contenteditable='true']") !== null;

  const help = () => document.getElementById("shortcuts-help");
  const openHelp = () => {
    const dialog = help();
    if (dialog && !dialog.open) dialog.showModal();
  };

  document.addEventListener("keydown", (event) => {
    if (!results() || event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    if (event.key === "Escape") {
      if (document.querySelector("tr.quick-reply-row")) {
        const row = selected();
        closeQuickReply();
        if (row) row.focus({ preventScroll: true });
        event.preventDefault();
      }
      return; // an open dialog closes itself on Escape
    }
    if (typing(event.target) || (help() && help().open)) return;
    const row = selected();
    const onControl = event.target.closest("a, button, summary, details");
    switch (event.key) {
      case "j":
        move(1);
        break;
      case "k":
        move(-1);
        break;
      case "Enter":
      case "o":
        // Enter on a link or a button does what that control does.
        if (!row || (event.key === "Enter" && onControl)) return;
        window.location.assign(row.dataset.href);
        break;
      case "c":
        if (!row) return;
        claim(row);
        break;
      case "r":
        if (!row) return;
        openQuickReply(row);
        break;
      case "R":
        if (!row) return;
        window.location.assign(row.dataset.href + "#reply");
        break;
      case "x": {
        const box = row && row.querySelector("input[type=checkbox]");
        if (!box) return;
        box.checked = !box.checked;
        break;
      }
      case "/": {
        const search = document.getElementById("q");
        if (!search) return;
        search.focus();
        search.select();
        break;
      }
      case "?":
        openHelp();
        break;
      default:
        return;
    }
    event.preventDefault();
  });

  // The status menu's summary names the ticked statuses (the results change by htmx, not the form).
  document.addEventListener("change", (event) => {
    const menu = event.target.closest(".queue-filters details.dropdown");
    const shown = menu && menu.querySelector("#status-filter-value");
    if (!shown) return;
    const ticked = Array.from(menu.querySelectorAll("input:checked")).map((box) => box.parentElement.textContent.trim());
    if (ticked.length) shown.textContent = ticked.join(", ");
  });

  // A click on a row (not on its link, box or button) selects it, as j/k would.
  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-shortcuts-open]")) {
      openHelp();
      return;
    }
    if (event.target.closest("[data-shortcuts-close]")) {
      help().close();
      return;
    }
    if (event.target.closest("[data-quick-reply-close]")) {
      const row = selected();
      closeQuickReply();
      if (row) row.focus({ preventScroll: true });
      return;
    }
    const row = event.target.closest("#queue-results tr[data-ticket]");
    if (row && !event.target.closest("a, button, input, label, select")) select(row);
  });

  // Keep the place across swaps of the results. A new filter is another list: start from its top.
  document.addEventListener("htmx:beforeSwap", (event) => {
    if (event.detail.target !== results()) return;
    const row = selected();
    const keep = event.detail.requestConfig && event.detail.requestConfig.verb !== "get";
    remembered = {
      number: row ? row.dataset.ticket : null,
      index: row ? rows().indexOf(row) : -1,
      scrollY: keep ? window.scrollY : null,
    };
  });
  document.addEventListener("htmx:afterSettle", (event) => {
    if (event.detail.target !== results()) return;
    const status = document.getElementById("queue-status");
    const summary = results().querySelector("[data-testid=attention-summary], .empty");
    if (status && summary) status.textContent = summary.textContent.replace(/\s+/g, " ").trim();
    if (!remembered) return;
    const { number, index, scrollY } = remembered;
    remembered = null;
    if (scrollY !== null) window.scrollTo({ top: scrollY });
    if (number === null) return;
    const all = rows();
    const again = all.find((r) => r.dataset.ticket === number);
    // A ticket that left the list (claimed in an "Unassigned" view): its neighbour takes its place.
    const row = again || (index >= 0 && all.length ? all[Math.min(index, all.length - 1)] : null);
    if (row) select(row, { focus: scrollY !== null || document.activeElement === document.body });
  });
})();
