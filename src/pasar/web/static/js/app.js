// Pasar storefront: progressive enhancement only. Every page works without this file.
"use strict";

if ("serviceWorker" in navigator) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
  });
}

// After htmx replaces the page (boosted links and forms), move focus like a page load
// would: to the error summary when there is one, else to the main content.
document.addEventListener("htmx:afterSettle", (event) => {
  if (!event.detail || !event.detail.boosted) return;
  const target = document.getElementById("errors") || document.getElementById("main");
  if (target) target.focus({ preventScroll: !document.getElementById("errors") });
});
