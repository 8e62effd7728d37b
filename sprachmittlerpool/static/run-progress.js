// Follow a matching run in the background: poll its progress every 1.5 s, reload the page when it ends.
(function () {
  var box = document.getElementById("run-progress");
  if (!box) return;
  var url = box.getAttribute("data-url");
  function set(id, text) {
    var node = document.getElementById(id);
    if (node) node.textContent = text;
  }
  function show(state) {
    var bar = document.getElementById("run-progress-bar");
    bar.max = state.levels;
    bar.value = state.level;
    bar.textContent = state.level + " / " + state.levels;
    set("run-progress-text", state.level + " von " + state.levels + " Stufen fertig");
    set("run-progress-elapsed", state.elapsed);
    set("run-progress-phase", state.phase);
    var list = document.getElementById("run-progress-lines");
    list.textContent = "";
    state.lines.forEach(function (line) {
      var item = document.createElement("li");
      item.textContent = line;
      list.appendChild(item);
    });
    var error = document.getElementById("run-progress-error");
    error.hidden = !state.error;
    error.textContent = state.error || "";
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (!state) return setTimeout(poll, 3000);
        show(state);
        if (state.ended) return window.location.reload();
        if (!state.finished) setTimeout(poll, 1500);
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 1500);
})();
