// Participation over time on the consultation results page (aggregate daily counts only).
(function () {
  var el = document.getElementById("timeline");
  if (!el || !window.echarts) return;
  var data = JSON.parse(el.dataset.series || "[]");
  var chart = echarts.init(el);
  chart.setOption({
    tooltip: {trigger: "axis"},
    legend: {},
    xAxis: {type: "category", data: data.map(function (d) { return d.day; })},
    yAxis: {type: "value"},
    series: [
      {name: "votes", type: "line", data: data.map(function (d) { return d.votes; })},
      {name: "participants", type: "bar", data: data.map(function (d) { return d.participants; })}
    ]
  });
})();
