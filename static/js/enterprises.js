// Live profit = revenue - cost on the yearly figures form:
// <output data-difference="id_revenue id_cost">
(function () {
  "use strict";
  document.querySelectorAll("output[data-difference]").forEach(function (out) {
    var ids = out.getAttribute("data-difference").split(/\s+/);
    var a = document.getElementById(ids[0]);
    var b = document.getElementById(ids[1]);
    function update() {
      var x = a ? parseFloat(a.value) : NaN;
      var y = b ? parseFloat(b.value) : NaN;
      if (isNaN(x) || isNaN(y)) { out.textContent = "—"; return; }
      var v = Math.round((x - y) * 100) / 100;
      out.textContent = v.toLocaleString("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    }
    [a, b].forEach(function (i) { if (i) { i.addEventListener("input", update); } });
    update();
  });
})();
