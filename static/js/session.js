// The weekly session's keyboard flow (progressive enhancement: without it every form still
// posts as it is). Enter in a row saves that row alone (and sends that row only); choosing an
// owner in a new row makes it the owner of the blank rows below; when a save moves the session
// on (the session swapped with another step, or a step's card answered with the `session-step`
// event), that step opens (a folded one fetches its card first) and the cursor goes to its first field, or to its first row's button
// where the rows are text until that button opens them (results, verdicts).
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

  // A row saved alone sends that row's fields only (with `only` and the form's token): the
  // answer is that row, the other rows stay as typed on the page, and the post stays small
  // however many rows the step has.
  document.addEventListener("htmx:configRequest", function (event) {
    var trigger = event.detail.triggeringEvent;
    var save = trigger && trigger.submitter;
    var row = save && save.name === "only" && save.closest("#session [data-row]");
    if (!row) return;
    var keep = { only: true, csrfmiddlewaretoken: true };
    row.querySelectorAll("[name]").forEach(function (input) { keep[input.name] = true; });
    var data = event.detail.formData;
    Array.from(data.keys()).forEach(function (key) {
      if (!keep[key]) data.delete(key);
    });
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
  function arrive(now) {
    if (now && now !== step) {
      var section = document.getElementById("step-" + now);
      if (section) section.open = true;
      // A folded step fetches its card as it opens (its toggle): the cursor goes there once
      // the card has settled, when this runs again.
      if (section && section.hasAttribute("data-folded")) return;
      var first = section && section.querySelector("input:not([type=hidden]):not([tabindex='-1']), select, textarea, [data-row] a[hx-get], button:not([tabindex='-1'])");
      if (first) first.focus({ preventScroll: false });
    }
    step = now;
  }
  document.addEventListener("DOMContentLoaded", function () { step = current(); });
  document.addEventListener("htmx:afterSettle", function () { arrive(current()); });
  document.addEventListener("session-step", function (event) {
    var session = document.getElementById("session");
    var now = event.detail && event.detail.step;
    if (!session || !now) return;
    session.setAttribute("data-step", now);
    arrive(now);
  });
})();
