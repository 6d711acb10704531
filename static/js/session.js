// The weekly session's keyboard flow (progressive enhancement: without it every form still
// posts as it is). Enter in a row saves that row alone; choosing an owner in a new row makes
// it the owner of the blank rows below; when a save moves the session on, the cursor goes
// to the first field of the next step.
(function () {
  "use strict";

  function field(el) {
    return el && el.matches && el.matches("input:not([type=hidden]):not([type=checkbox]):not([type=radio]), select");
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.isComposing || !field(event.target)) return;
    var row = event.target.closest("#session [data-row]");
    var save = row && row.querySelector("[data-row-save]");
    if (!save) return;
    event.preventDefault();
    save.click();
  });

  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("select[data-follow-owner]")) return;
    var rows = Array.prototype.slice.call(document.querySelectorAll("#session .new-action"));
    var from = rows.indexOf(select.closest(".new-action"));
    rows.slice(from + 1).forEach(function (row) {
      var title = row.querySelector("input[name$='-title']");
      var owner = row.querySelector("select[data-follow-owner]");
      if (title && owner && !title.value.trim()) owner.value = select.value;
    });
  });

  var step = null;
  function current() {
    var session = document.getElementById("session");
    return session ? session.getAttribute("data-step") : null;
  }
  document.addEventListener("DOMContentLoaded", function () { step = current(); });
  document.addEventListener("htmx:afterSettle", function () {
    var now = current();
    if (now && now !== step) {
      var section = document.getElementById("step-" + now);
      var first = section && section.querySelector("input:not([type=hidden]):not([tabindex='-1']), select, textarea, button:not([tabindex='-1'])");
      if (first) first.focus({ preventScroll: false });
    }
    step = now;
  });
})();
