// Pareto — small progressive enhancements. Loaded with `defer`; works under a
// strict CSP (script-src 'self'): no inline handlers, no eval.
//
//  * <form data-confirm="Delete this account?"> asks confirm() before submitting.
//    A submit button may carry its own data-confirm, which takes precedence.
//  * <select data-autosubmit> submits its form when the value changes, except
//    to the value in data-autosubmit-except (the person fills more fields
//    first: a custom period's months, which get the focus).
//  * An input with data-period-custom picks the custom period in its form's
//    period select when a month is typed.
//  * A <button data-print> prints the page (the progress report).
//  * Adds class "js" to <html> so CSS can hide no-JS fallbacks (.js-hide).
//  * Flash messages are deliberately NOT auto-dismissed.
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  document.addEventListener("click", function (event) {
    var t = event.target;
    if (t instanceof Element && t.closest("[data-print]")) {
      window.print();
    }
  });

  // Confirmation. Registered on document in the capture phase so it runs
  // before htmx's own submit listener on the form; on cancel we stop the event
  // from reaching the form at all.
  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      if (!(form instanceof HTMLFormElement)) return;
      var submitter = event.submitter;
      var message =
        (submitter && submitter.getAttribute("data-confirm")) ||
        form.getAttribute("data-confirm");
      if (message && !window.confirm(message)) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true
  );

  // Auto-submit selects. requestSubmit() fires a real submit event, so the
  // confirm handler above, HTML validation and htmx (hx-get/hx-post on the
  // form) all still apply.
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (!(el instanceof HTMLSelectElement) || !el.hasAttribute("data-autosubmit")) return;
    var form = el.form;
    if (!form) return;
    if (el.value === el.getAttribute("data-autosubmit-except")) {
      var first = form.querySelector("[data-period-custom]");
      if (first) first.focus();
      return;
    }
    if (typeof form.requestSubmit === "function") {
      form.requestSubmit();
    } else {
      form.submit();
    }
  });

  document.addEventListener("input", function (event) {
    var el = event.target;
    if (!(el instanceof HTMLInputElement) || !el.hasAttribute("data-period-custom") || !el.form) return;
    var period = el.form.querySelector("select[name=period]");
    if (period) period.value = "custom";
  });
})();
