/* Draw actuals, the forecast and its 80 % band from the JSON embedded in the page. */
(function () {
  function draw() {
    var el = document.getElementById("forecast-data");
    if (!el || !window.echarts) { return; }
    var d = JSON.parse(el.textContent);
    var labels = JSON.parse(document.getElementById("forecast-labels").textContent);
    var chart = echarts.init(document.getElementById("chart-forecast"));
    var width = d.hi.map(function (h, i) { return h === null ? null : h - d.lo[i]; });
    chart.setOption({
      animation: false, tooltip: { trigger: "axis" }, legend: { bottom: 0, data: [labels.actual, labels.point, labels.band] },
      grid: { left: 50, right: 20, top: 20, bottom: 60 },
      xAxis: { type: "category", data: d.periods },
      yAxis: { type: "value", min: 0 },
      series: [
        { name: "lo", type: "line", stack: "band", data: d.lo, lineStyle: { opacity: 0 }, symbol: "none", tooltip: { show: false } },
        { name: labels.band, type: "line", stack: "band", data: width, lineStyle: { opacity: 0 }, symbol: "none",
          areaStyle: { color: "#7fa7d6", opacity: 0.4 } },
        { name: labels.actual, type: "line", data: d.actual, itemStyle: { color: "#0b4f9c" } },
        { name: labels.point, type: "line", data: d.point, lineStyle: { type: "dashed" }, itemStyle: { color: "#c0392b" } }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
    document.body.setAttribute("data-charts-ready", "true");
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
