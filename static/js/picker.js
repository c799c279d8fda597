// Suggestions for the pickers (workstudy/widgets.py): as the user types a school code or
// name (or a labor base, a plot...), fill the input's <datalist> from its search URL
// (/schools/search/, /pick/<kind>/). Without JavaScript the server resolves the typed
// text itself, so this is only a convenience.
(function () {
  "use strict";
  document.querySelectorAll("input[data-picker]").forEach(function (input) {
    // The widget loads this file once per picker on the page: bind each input once.
    if (input.hasAttribute("data-picker-ready")) { return; }
    input.setAttribute("data-picker-ready", "");
    var list = document.getElementById(input.getAttribute("list"));
    var url = input.getAttribute("data-search-url");
    if (!list || !url || !window.fetch) { return; }
    var timer = null;
    var last = null;
    var controller = null;

    function fill(results) {
      list.textContent = "";
      results.forEach(function (item) {
        var option = document.createElement("option");
        option.value = item.label;
        list.appendChild(option);
      });
    }

    function search() {
      var q = input.value.trim();
      if (q === last) { return; }
      last = q;
      if (controller) { controller.abort(); }
      controller = window.AbortController ? new window.AbortController() : null;
      var sep = url.indexOf("?") === -1 ? "?" : "&";
      window.fetch(url + sep + "q=" + encodeURIComponent(q), {
        credentials: "same-origin",
        headers: { "Accept": "application/json" },
        signal: controller ? controller.signal : undefined
      })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) { fill(data.results || []); })
        .catch(function () { /* aborted or offline: keep the old suggestions */ });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(search, 200);
    });
    input.addEventListener("focus", search);
  });
})();
