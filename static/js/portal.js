// Small progressive enhancements; every page works without JavaScript.
(function () {
  "use strict";
  // The server checks every form and answers in the portal's words, every problem at once;
  // the browser's own bubbles (one field at a time, in the browser's language) stay out.
  document.querySelectorAll("form").forEach(function (form) { form.noValidate = true; });
  document.querySelectorAll("select[data-autosubmit]").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });
  document.querySelectorAll("[data-confirm]").forEach(function (el) {
    el.addEventListener("click", function (ev) {
      if (!window.confirm(el.getAttribute("data-confirm"))) { ev.preventDefault(); }
    });
  });
  // Live product of two inputs, e.g. value = quantity x unit price:
  // <output data-product="id_quantity id_unit_price" data-decimals="2">
  document.querySelectorAll("output[data-product]").forEach(function (out) {
    var ids = out.getAttribute("data-product").split(/\s+/);
    var inputs = ids.map(function (id) { return document.getElementById(id); });
    var decimals = parseInt(out.getAttribute("data-decimals") || "2", 10);
    var max = parseFloat(out.getAttribute("data-max") || "Infinity");
    // Only what the server would accept: digits with at most two decimals, never negative.
    var plain = /^\s*\d+(\.\d{1,2})?\s*$/;
    function update() {
      var vals = inputs.map(function (i) { return i && plain.test(i.value) ? parseFloat(i.value) : NaN; });
      var product = vals.reduce(function (a, b) { return a * b; }, 1);
      if (vals.some(isNaN) || !(product <= max)) { out.textContent = "—"; return; }
      out.textContent = product.toFixed(decimals);
    }
    inputs.forEach(function (i) { if (i) { i.addEventListener("input", update); } });
    update();
  });
  // Live sum of inputs whose name matches a pattern: <output data-sum="area_mu">
  document.querySelectorAll("output[data-sum]").forEach(function (out) {
    var suffix = out.getAttribute("data-sum");
    var decimals = parseInt(out.getAttribute("data-decimals") || "2", 10);
    function inputs() {
      return Array.prototype.slice.call(document.querySelectorAll("input[name$='" + suffix + "']"));
    }
    function update() {
      var total = inputs().reduce(function (acc, i) { var v = parseFloat(i.value); return acc + (isNaN(v) ? 0 : v); }, 0);
      out.textContent = total.toFixed(decimals);
    }
    document.addEventListener("input", update);
    update();
  });
  // The phone menu: the header's menu button opens and closes the main menu and the user menu
  // (CSS shows them on wider screens). Without JavaScript the button is a link to #menu and
  // :target opens them; .js-menu hands that over to the button.
  document.querySelectorAll(".topbar > .menutoggle").forEach(function (toggle) {
    var bar = toggle.parentNode;
    function setOpen(open) {
      bar.classList.toggle("menu-open", open);
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    }
    bar.classList.add("js-menu");
    setOpen(window.location.hash === "#" + bar.id);
    toggle.addEventListener("click", function (ev) {
      ev.preventDefault();
      setOpen(!bar.classList.contains("menu-open"));
    });
    toggle.addEventListener("keydown", function (ev) {
      if (ev.key === " ") { ev.preventDefault(); toggle.click(); }
    });
    document.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape" && bar.classList.contains("menu-open")) { setOpen(false); toggle.focus(); }
    });
  });
})();
