/* Agency dashboard charts: reads the figures from the json_script element and draws them with the vendored
   Chart.js. Every chart repeats a table shown on the page, so nothing is lost without JavaScript. */
(function () {
  "use strict";
  var source = document.getElementById("indices-charts");
  if (!source || typeof window.Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var colours = ["#0b5cad", "#1f7a3a", "#b3261e"];

  function draw(id, type, chart) {
    var canvas = document.getElementById(id);
    if (!canvas || !chart || !chart.labels.length) {
      return;
    }
    new window.Chart(canvas, {
      type: type,
      data: {
        labels: chart.labels,
        datasets: chart.series.map(function (series, i) {
          return {
            label: series.label,
            data: series.data,
            borderColor: colours[i % colours.length],
            backgroundColor: colours[i % colours.length],
            spanGaps: true
          };
        })
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: { y: { min: 0, max: 100, title: { display: true, text: "%" } } }
      }
    });
  }

  draw("chart-trend", "line", data.trend);
  draw("chart-counters", "bar", data.counters);
})();
