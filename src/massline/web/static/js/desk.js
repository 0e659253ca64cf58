// Spread chart of one claim on the desk's claim page (vendored ECharts; data embedded as JSON).
document.addEventListener("DOMContentLoaded", () => {
  const el = document.getElementById("chart-spread");
  const data = JSON.parse(document.getElementById("spread-data")?.textContent || "{}");
  if (!el || !window.echarts || !data.days) return;
  const chart = window.echarts.init(el);
  chart.setOption({
    tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: data.days },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ type: "bar", data: data.counts }],
  });
  window.addEventListener("resize", () => chart.resize());
});
