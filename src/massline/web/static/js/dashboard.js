/* Draw the dashboard charts from the JSON embedded in the page (no extra request). */
(function () {
  function draw() {
    var el = document.getElementById("chart-data");
    if (!el || !window.echarts) { return; }
    var data = JSON.parse(el.textContent);
    var labels = JSON.parse(document.getElementById("chart-labels").textContent);
    var base = { animation: false, tooltip: { trigger: "axis" }, grid: { left: 60, right: 60, top: 30, bottom: 70 } };
    function bar(id, items) {
      var chart = echarts.init(document.getElementById(id));
      chart.setOption(Object.assign({}, base, {
        xAxis: { type: "category", data: items.map(function (d) { return d.name; }), axisLabel: { rotate: 30 } },
        yAxis: { type: "value" },
        series: [{ type: "bar", data: items.map(function (d) { return d.value; }), itemStyle: { color: "#0b4f9c" } }]
      }));
      return chart;
    }
    var charts = [bar("chart-category", data.category), bar("chart-district", data.district)];
    var monthly = echarts.init(document.getElementById("chart-monthly"));
    var series = [{ name: labels.received, type: "bar", data: data.received, itemStyle: { color: "#7fa7d6" } }];
    ["response_rate", "resolution_rate", "satisfaction_rate"].forEach(function (key) {
      series.push({ name: labels[key], type: "line", yAxisIndex: 1, connectNulls: true, data: data.rates[key] });
    });
    monthly.setOption(Object.assign({}, base, {
      legend: { bottom: 0 },
      xAxis: { type: "category", data: data.months },
      yAxis: [{ type: "value", name: labels.received }, { type: "value", name: "%", min: 0, max: 100 }],
      series: series
    }));
    charts.push(monthly);
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
    document.body.setAttribute("data-charts-ready", "true");
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
