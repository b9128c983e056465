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
//  * The Menu button (.nav-toggle) folds the navigation below 700px.
//  * Each .table-wrap is marked .fits (the table fits: the wrapper stops
//    scrolling so the sticky header follows the page) or .scrolls (it
//    scrolls sideways: a visible cue, and focusable so the keyboard can
//    scroll it), again whenever its width changes.
//  * A page that comes back with form errors (a failed save) brings the
//    first error into view and focuses its field, instead of leaving the
//    person at the top of the page.
//  * "/" focuses the header's search field (#global-search), unless the
//    person is typing in a field or holds a modifier key.
//  * The account list's "tick every account on this page" box (.select-page)
//    ticks and unticks the rows (.select-row); unticking a row unticks it.
//    Without JavaScript the box itself names the page's accounts.
//  * The saved views bar's save form takes the page's query as it is now
//    (the account list's filters change it in place, with htmx), without
//    the paging.
//  * Flash messages are deliberately NOT auto-dismissed.
//  * A <button data-copy="ID" data-copy-status="ID2"> copies the value of
//    the field ID (the clipboard API, else the selection and
//    execCommand("copy")) and says "Copied" in ID2 (a status region).
//    Without JavaScript the button stays hidden (.js-show) and the
//    read-only field is selectable; a field with data-select-all selects
//    its whole value on focus.
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  document.addEventListener("click", function (event) {
    var t = event.target;
    if (t instanceof Element && t.closest("[data-print]")) {
      window.print();
    }
  });

  // Copy a field's value.
  document.addEventListener("click", function (event) {
    var t = event.target;
    var btn = t instanceof Element ? t.closest("[data-copy]") : null;
    if (!btn) return;
    var field = document.getElementById(btn.getAttribute("data-copy"));
    var status = document.getElementById(btn.getAttribute("data-copy-status"));
    if (!field) return;
    var say = function (msg) {
      if (status) status.textContent = msg;
    };
    var fallback = function () {
      field.focus();
      field.select();
      var ok = false;
      try {
        ok = document.execCommand("copy");
      } catch (e) {
        ok = false;
      }
      say(ok ? "Copied" : "Selected: press Ctrl+C (⌘C) to copy");
    };
    say("");
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(function () {
        say("Copied");
      }, fallback);
    } else {
      fallback();
    }
  });
  document.addEventListener("focusin", function (event) {
    var t = event.target;
    if (t instanceof HTMLInputElement && t.hasAttribute("data-select-all")) {
      t.select();
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

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.classList.contains("views-save")) return;
    var field = form.querySelector("[data-current-query]");
    if (!field) return;
    var q = new URLSearchParams(window.location.search);
    ["after", "cursor", "page"].forEach(function (k) { q.delete(k); });
    field.value = q.toString();
  }, true);

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

  // "/" to search.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    var t = event.target;
    if (t instanceof Element && t.closest("input, textarea, select, [contenteditable]:not([contenteditable=false])")) return;
    var field = document.getElementById("global-search");
    if (!field) return;
    event.preventDefault();
    field.focus();
    field.select();
  });

  // Mobile menu.
  document.addEventListener("click", function (event) {
    var btn = event.target instanceof Element && event.target.closest(".nav-toggle");
    if (!btn) return;
    var nav = document.getElementById(btn.getAttribute("aria-controls"));
    if (!nav) return;
    var open = btn.getAttribute("aria-expanded") !== "true";
    btn.setAttribute("aria-expanded", open ? "true" : "false");
    nav.classList.toggle("open", open);
    var bar = btn.closest("header");
    if (bar) bar.classList.toggle("menu-open", open);
  });

  // Tables: fit or scroll sideways.
  function fitTable(wrap) {
    var table = wrap.firstElementChild;
    if (!table) return;
    var scrolls = table.scrollWidth > wrap.clientWidth + 1;
    wrap.classList.toggle("scrolls", scrolls);
    wrap.classList.toggle("fits", !scrolls);
    if (scrolls) {
      wrap.setAttribute("tabindex", "0");
      wrap.setAttribute("role", "region");
      if (!wrap.hasAttribute("aria-label")) {
        var cap = table.querySelector("caption");
        var label = cap ? cap.textContent.trim() : "";
        wrap.setAttribute("aria-label", (label ? label + ": " : "") + "table, scrolls sideways");
      }
      wrap.classList.toggle("at-end", wrap.scrollLeft + wrap.clientWidth >= wrap.scrollWidth - 2);
    } else if (wrap.getAttribute("tabindex") === "0") {
      wrap.removeAttribute("tabindex");
      wrap.removeAttribute("role");
    }
  }
  var sizes = typeof ResizeObserver === "function" ? new ResizeObserver(function (entries) {
    entries.forEach(function (e) { fitTable(e.target); });
  }) : null;
  function watchTables(root) {
    root.querySelectorAll(".table-wrap").forEach(function (wrap) {
      fitTable(wrap);
      if (sizes) sizes.observe(wrap);
    });
  }
  document.addEventListener("scroll", function (event) {
    var wrap = event.target;
    if (wrap instanceof Element && wrap.classList.contains("scrolls")) {
      wrap.classList.toggle("at-end", wrap.scrollLeft + wrap.clientWidth >= wrap.scrollWidth - 2);
    }
  }, true);
  document.addEventListener("htmx:afterSettle", function (event) {
    watchTables(document);
  });

  // A failed save: show the error where the form is.
  function showFirstError() {
    var field = document.querySelector("main [aria-invalid=\"true\"]");
    var box = field || document.querySelector("main .form-errors");
    if (!box) return;
    if (field && typeof field.focus === "function") {
      field.focus({ preventScroll: true });
    }
    box.scrollIntoView({ block: "center" });
  }

  function ready() {
    watchTables(document);
    showFirstError();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }

  document.addEventListener("change", function (event) {
    var el = event.target;
    if (!(el instanceof HTMLInputElement) || !el.form) return;
    if (el.classList.contains("select-page")) {
      el.form.querySelectorAll("input.select-row").forEach(function (row) { row.checked = el.checked; });
    } else if (el.classList.contains("select-row") && !el.checked) {
      var page = el.form.querySelector("input.select-page");
      if (page) page.checked = false;
    }
  });

  document.addEventListener("input", function (event) {
    var el = event.target;
    if (!(el instanceof HTMLInputElement) || !el.hasAttribute("data-period-custom") || !el.form) return;
    var period = el.form.querySelector("select[name=period]");
    if (period) period.value = "custom";
  });
})();
