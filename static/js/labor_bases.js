// Live revenue and profit on the base accounts form (portal.js already sums the costs).
(function () {
  "use strict";
  document.querySelectorAll("[data-finance]").forEach(function (box) {
    var production = parseFloat(box.getAttribute("data-production")) || 0;
    var form = box.closest("form");
    var revenueOut = box.querySelector("output[data-finance-revenue]");
    var profitOut = box.querySelector("output[data-finance-profit]");
    function num(name) {
      var el = form.querySelector("input[name='" + name + "']");
      var v = el ? parseFloat(el.value) : NaN;
      return isNaN(v) ? 0 : v;
    }
    function update() {
      var cost = Array.prototype.slice.call(form.querySelectorAll("input[name$='_cost']"))
        .reduce(function (acc, el) { var v = parseFloat(el.value); return acc + (isNaN(v) ? 0 : v); }, 0);
      var revenue = production + num("other_income");
      revenueOut.textContent = revenue.toFixed(2);
      profitOut.textContent = (revenue - cost).toFixed(2);
    }
    form.addEventListener("input", update);
    update();
  });
})();
