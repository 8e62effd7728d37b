// Live preview of a tariff version: ask the server (the same function that books allowances) as the admin types.
(function () {
  "use strict";
  var form = document.getElementById("tariff-form");
  var target = document.getElementById("tariff-preview");
  if (!form || !target || !window.fetch) {
    return;
  }
  var timer = null;
  var latest = 0;

  function refresh() {
    var params = new URLSearchParams(new FormData(form));
    params.delete("csrf_token");
    var ticket = ++latest;
    fetch(form.dataset.previewUrl + "?" + params.toString(), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html !== null && ticket === latest) {
          target.innerHTML = html;
        }
      })
      .catch(function () { /* the button "Vorschau aktualisieren" still works */ });
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  }

  form.addEventListener("input", later);
  form.addEventListener("change", later);
})();
