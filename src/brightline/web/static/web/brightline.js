// Bright Line: small behaviours on top of USWDS and htmx. Every page works without this file.
(function () {
  "use strict";

  // Move keyboard focus to the element a page or a partial marks, e.g. an error summary or the
  // outcome of a decision, so that a keyboard or screen-reader user lands where the news is.
  function focusMarked(root) {
    var target = (root || document).querySelector("[data-focus-on-load]");
    if (target) {
      if (!target.hasAttribute("tabindex")) {
        target.setAttribute("tabindex", "-1");
      }
      target.focus();
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusMarked(document);
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    focusMarked(event.detail.elt && event.detail.elt.isConnected ? event.detail.elt : document);
  });
})();
