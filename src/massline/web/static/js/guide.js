/* Draw the guide's topics-over-time stacked area from the JSON embedded in the page (no extra request). */
(function () {
  function draw() {
    var el = document.getElementById("guide-chart-data");
    var box = document.getElementById("chart-topics");
    if (!el || !box || !window.echarts) { return; }
    var data = JSON.parse(el.textContent);
    var chart = echarts.init(box);
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", bottom: 0 },
      grid: { left: 50, right: 20, top: 20, bottom: 60 },
      xAxis: { type: "category", boundaryGap: false, data: data.periods },
      yAxis: { type: "value" },
      series: data.series.map(function (s) {
        return { name: s.name, type: "line", stack: "topics", areaStyle: {}, symbol: "none", data: s.data };
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
    document.body.setAttribute("data-charts-ready", "true");
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
