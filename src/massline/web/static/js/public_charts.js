/* Public charts from the aggregate JSON embedded in the page (no extra request, no personal data). */
(function () {
  function draw() {
    var el = document.getElementById("public-chart-data");
    if (!el || !window.echarts) { return; }
    var data = JSON.parse(el.textContent);
    var labels = JSON.parse(document.getElementById("public-chart-labels").textContent);
    var base = { animation: false, tooltip: { trigger: "axis" }, legend: { bottom: 0, type: "scroll" },
                 grid: { left: 50, right: 20, top: 20, bottom: 70 } };
    var charts = [];
    function chart(id, option) {
      var c = echarts.init(document.getElementById(id));
      c.setOption(Object.assign({}, base, option));
      charts.push(c);
    }
    chart("chart-category-month", {
      xAxis: { type: "category", data: data.months }, yAxis: { type: "value" },
      series: data.categories.map(function (c) { return { name: c, type: "bar", stack: "all", data: data.counts[c] }; })
    });
    chart("chart-departments", {
      xAxis: { type: "category", data: data.departments.map(function (d) { return d.name; }), axisLabel: { rotate: 30 } },
      yAxis: { type: "value", min: 0, max: 100, name: "%" },
      series: ["response_rate", "resolution_rate"].map(function (k) {
        return { name: labels[k], type: "bar", data: data.departments.map(function (d) { return d[k]; }) };
      })
    });
    chart("chart-trends", {
      xAxis: { type: "category", data: data.months }, yAxis: { type: "value", name: "%" },
      series: data.categories.map(function (c) { return { name: c, type: "line", connectNulls: true, data: data.shares[c] }; })
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
    document.body.setAttribute("data-charts-ready", "true");
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
