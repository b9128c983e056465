// Pareto — scoring matrix. Loaded only on the matrix page (script-src 'self').
//
//  * Each score cell saves itself with htmx on change; the server answers the
//    account's score cell. A refused value (422) or a cell someone else
//    changed meanwhile (409) comes with a message, which htmx would not swap
//    by default: inside [data-swap-422] it is swapped, so the message shows
//    on the cell (which gets its saved value back). Without JavaScript the
//    row's Save button posts the same form.
//  * The keyboard: arrow keys move between cells (up/down: the same
//    criterion in the row above/below), Enter saves the cell, Escape puts
//    back the value the cell had when it got the focus.
//  * A cell redrawn by the answer keeps the focus if it had it.
(function () {
  "use strict";
  document.addEventListener("htmx:beforeSwap", function (event) {
    var d = event.detail;
    var elt = d && d.elt;
    if (d && d.xhr && (d.xhr.status === 422 || d.xhr.status === 409) && elt && elt.closest && elt.closest("[data-swap-422]")) {
      d.shouldSwap = true;
      d.isError = false;
    }
  });

  // A cell that saved loses the error an earlier refusal left on it.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var d = event.detail;
    var el = d && d.requestConfig && d.requestConfig.elt; // the input that saved (d.elt is the target)
    if (!d || !d.xhr || d.xhr.status !== 200 || !(el instanceof HTMLInputElement) || !el.classList.contains("score-input")) return;
    var cell = el.closest("td");
    var msg = cell && cell.querySelector(".cell-error");
    if (msg) msg.remove();
    if (cell) cell.classList.remove("has-error");
    el.removeAttribute("aria-invalid");
    el.removeAttribute("aria-describedby");
  });

  // A focused cell that the answer redrew (swapped out) gets the focus back
  // on its new input.
  var focused = null;
  document.addEventListener("htmx:beforeSwap", function () {
    var a = document.activeElement;
    focused = a instanceof HTMLInputElement && a.classList.contains("score-input") ? a : null;
  });
  document.addEventListener("htmx:afterSettle", function () {
    var was = focused;
    focused = null;
    if (!was || was.isConnected) return;
    var el = document.getElementById(was.id);
    if (el && (document.activeElement === document.body || document.activeElement === null)) {
      el.focus();
      el.dataset.before = el.value;
    }
  });

  // Enter in a cell saves that cell through htmx; the row form's implicit
  // submission (a full page load) is kept for browsers without JavaScript.
  document.addEventListener("submit", function (event) {
    var a = document.activeElement;
    if (a instanceof HTMLInputElement && a.classList.contains("score-input") && event.target.contains(a) === false && a.form === event.target) {
      event.preventDefault();
    }
  }, true);

  // The browser may commit the same value with a change event of its own
  // after Enter: one save is enough.
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (event.isTrusted && el instanceof HTMLInputElement && el.dataset.sent !== undefined) {
      var dup = el.dataset.sent === el.value;
      delete el.dataset.sent;
      if (dup) event.stopImmediatePropagation();
    }
  }, true);

  document.addEventListener("focusin", function (event) {
    var el = event.target;
    if (el instanceof HTMLInputElement && el.classList.contains("score-input")) {
      el.dataset.before = el.value;
    }
  });

  // cellAt is the score input in row r (a <tr>) at column index i.
  function cellAt(row, i) {
    if (!row) return null;
    var inputs = row.querySelectorAll("input.score-input");
    return inputs[i] || null;
  }

  function move(el, key) {
    var row = el.closest("tr");
    var inputs = Array.prototype.slice.call(row.querySelectorAll("input.score-input"));
    var i = inputs.indexOf(el);
    var next = null;
    if (key === "ArrowLeft") next = inputs[i - 1];
    if (key === "ArrowRight") next = inputs[i + 1];
    var r = row;
    while (!next && (key === "ArrowUp" || key === "ArrowDown")) {
      r = key === "ArrowUp" ? r.previousElementSibling : r.nextElementSibling;
      if (!r) break;
      next = cellAt(r, i);
    }
    if (next) {
      next.focus();
      next.select();
    }
  }

  document.addEventListener("keydown", function (event) {
    var el = event.target;
    if (!(el instanceof HTMLInputElement) || !el.classList.contains("score-input")) return;
    if (event.key !== "Enter") delete el.dataset.sent;
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    switch (event.key) {
      case "ArrowUp":
      case "ArrowDown":
      case "ArrowLeft":
      case "ArrowRight":
        event.preventDefault(); // not the number input's step
        move(el, event.key);
        break;
      case "Enter":
        event.preventDefault(); // not the row form's full-page submit
        if (el.value !== el.dataset.before) {
          el.dataset.before = el.value;
          el.dataset.sent = el.value;
          el.dispatchEvent(new Event("change", { bubbles: true }));
        }
        break;
      case "Escape":
        if (el.dataset.before !== undefined && el.value !== el.dataset.before) {
          event.preventDefault();
          el.value = el.dataset.before;
        }
        break;
    }
  });
})();
