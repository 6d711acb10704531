// The interview form keeps a draft on this device (issue 15): every keystroke is stored in
// localStorage under the form's key, restored when the page opens again (after a dropped
// connection or a failed save), and forgotten only once the server confirms the save (the
// page it redirects to names the draft to forget).
(function () {
  "use strict";
  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }
  var store = storage();
  if (!store) return;

  document.querySelectorAll("[data-draft-clear]").forEach(function (el) {
    store.removeItem(el.getAttribute("data-draft-clear"));
  });

  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.type !== "hidden" && el.type !== "submit" && el.type !== "button";
    });
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
