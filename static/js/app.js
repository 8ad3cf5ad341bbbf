import { initAll } from "../govuk/govuk-frontend.min.js";

initAll();

// A table wider than the page scrolls inside its own region, not the page: the region can be reached
// with the keyboard, is named after the table's caption, and has a hint above it. Tables that fit are
// wrapped too (so the page never jumps) but are left out of the tab order.
function fitTables() {
  document.querySelectorAll("table.govuk-table:not(.app-table--stack)").forEach((table) => {
    let region = table.parentElement;
    if (!region.classList.contains("app-table-scroll")) {
      region = document.createElement("div");
      region.className = "app-table-scroll";
      table.parentNode.insertBefore(region, table);
      region.appendChild(table);
    }
    const overflowing = table.scrollWidth > region.clientWidth + 1;
    const hint = region.previousElementSibling;
    const hasHint = hint && hint.classList.contains("app-table-scroll__hint");
    region.classList.toggle("app-table-scroll--overflowing", overflowing);
    if (overflowing) {
      const caption = table.caption ? table.caption.textContent.trim() : "";
      region.setAttribute("role", "region");
      region.setAttribute("tabindex", "0");
      region.setAttribute("aria-label", `${caption || "Table"} (scrolls sideways)`);
      if (!hasHint) {
        const p = document.createElement("p");
        p.className = "govuk-body-s app-table-scroll__hint";
        p.setAttribute("aria-hidden", "true");
        p.textContent = "Scroll sideways to see every column.";
        region.parentNode.insertBefore(p, region);
      }
    } else {
      region.removeAttribute("role");
      region.removeAttribute("tabindex");
      region.removeAttribute("aria-label");
      if (hasHint) hint.remove();
    }
  });
}

// Filters fold away on a phone so the results come first, unless one is in use or has an error.
function foldFilters() {
  const narrow = window.matchMedia("(max-width: 40.0525em)").matches;
  document.querySelectorAll("details[data-app-fold-on-phones]").forEach((details) => {
    const inUse = details.hasAttribute("data-app-in-use");
    if (narrow && !inUse) details.removeAttribute("open");
  });
}

fitTables();
foldFilters();
let resizing;
window.addEventListener("resize", () => {
  clearTimeout(resizing);
  resizing = setTimeout(fitTables, 100);
});
