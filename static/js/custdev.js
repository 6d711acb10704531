// The interview form keeps a draft on this device: every keystroke is stored in
// localStorage under the form's key, restored when the page opens again (after a dropped
// connection or a failed save), and forgotten only once the server confirms the save (the
// page it redirects to names the draft to forget). The draft keeps the form's hidden
// submission token too, so a restored draft sent again is the same interview to the server,
// not a second one; and the save button is disabled while the form is on its way.
(function () {
  "use strict";
  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }
  var RETRY_AFTER_MS = 10000; // a send that never answers: the button comes back (the token makes a re-send safe)
  document.querySelectorAll("form[data-draft-key]").forEach(guardSubmit);
  var store = storage();
  if (!store) return;

  document.querySelectorAll("[data-draft-clear]").forEach(function (el) {
    store.removeItem(el.getAttribute("data-draft-clear"));
  });

  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      if (el.type === "hidden") return el.name && el.hasAttribute("data-draft-keep");
      return el.name && el.type !== "submit" && el.type !== "button";
    });
  }

  function sending(form, busy) {
    form.querySelectorAll("button[type=submit], button:not([type])").forEach(function (button) {
      button.disabled = busy;
      if (busy) button.setAttribute("aria-busy", "true");
      else button.removeAttribute("aria-busy");
    });
  }

  function guardSubmit(form) {
    var timer = null;
    form.addEventListener("submit", function (event) {
      if (form.getAttribute("data-sending") === "yes") { event.preventDefault(); return; }
      form.setAttribute("data-sending", "yes");
      // Disabled after the browser has taken the click: a disabled button would not be sent.
      window.setTimeout(function () { sending(form, true); }, 0);
      timer = window.setTimeout(function () { done(); }, RETRY_AFTER_MS);
    });
    function done() {
      if (timer) window.clearTimeout(timer);
      timer = null;
      form.removeAttribute("data-sending");
      sending(form, false);
    }
    // Back to this page after a failed send (the browser's error page, its cache): usable again.
    window.addEventListener("pageshow", done);
  }

  function save(form) {
    var data = {};
    fields(form).forEach(function (el) {
      data[el.name] = el.type === "checkbox" ? el.checked : el.value;
    });
    try { store.setItem(form.getAttribute("data-draft-key"), JSON.stringify(data)); } catch (e) { /* full */ }
  }

  function restore(form, data) {
    fields(form).forEach(function (el) {
      if (!(el.name in data)) return;
      if (el.type === "checkbox") el.checked = !!data[el.name];
      else el.value = data[el.name];
    });
  }

  document.querySelectorAll("form[data-draft-key]").forEach(function (form) {
    var key = form.getAttribute("data-draft-key");
    var saved = store.getItem(key);
    var notice = document.querySelector("[data-draft-notice]");
    if (saved && form.getAttribute("data-draft-restore") !== "no") {
      try {
        restore(form, JSON.parse(saved));
        if (notice) notice.hidden = false;
      } catch (e) { store.removeItem(key); }
    }
    form.addEventListener("input", function () { save(form); });
    form.addEventListener("change", function () { save(form); });
    var discard = document.querySelector("[data-draft-discard]");
    if (discard) {
      discard.addEventListener("click", function () {
        store.removeItem(key);
        window.location.reload();
      });
    }
  });
})();
