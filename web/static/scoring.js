// Pareto — scoring matrix. Loaded only on the matrix page (script-src 'self').
//
//  * Each score cell saves itself with htmx on change; the server answers the
//    account's score cell. A refused value (422) or a cell someone else
//    changed meanwhile (409) comes with a message, which htmx would not swap
//    by default: inside [data-swap-422] it is swapped, so the message shows
//    beside the row. Without JavaScript the row's Save
//    button posts the same form.
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
})();
