/* Charts of the province report, drawn from the data the page passes through json_script. */
(function () {
  "use strict";
  var source = document.getElementById("report-chart-data");
  if (!source || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);

  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (canvas) { new Chart(canvas, config); }
  }

  draw("chart-bars", {
    type: "bar",
    data: {
      labels: data.bars.labels,
      datasets: [{ label: data.bars.title, data: data.bars.values, backgroundColor: data.bars.colours }]
    },
    options: {
      plugins: {
        title: { display: true, text: data.bars.title },
        legend: { display: false }
      },
      scales: { y: { min: 0, max: 100 } }
    }
  });

  var near = data.scatter.points.filter(function (p) { return !p.far; });
  var far = data.scatter.points.filter(function (p) { return p.far; });
  draw("chart-scatter", {
    type: "scatter",
    data: {
      datasets: [
        { label: data.scatter.near_label, data: near, backgroundColor: "#0b5cad" },
        { label: data.scatter.far_label, data: far, backgroundColor: "#b3261e", pointRadius: 6 },
        { type: "line", label: "y = x", data: [{ x: 0, y: 0 }, { x: 100, y: 100 }], borderColor: "#9aa5b1",
          pointRadius: 0, borderDash: [4, 4] }
      ]
    },
    options: {
      plugins: {
        title: { display: true, text: data.scatter.title },
        tooltip: { callbacks: { label: function (ctx) { return (ctx.raw.label || "") + " (" + ctx.raw.x + "; " + ctx.raw.y + ")"; } } }
      },
      scales: {
        x: { min: 0, max: 100, title: { display: true, text: data.scatter.x } },
        y: { min: 0, max: 100, title: { display: true, text: data.scatter.y } }
      }
    }
  });

  var palette = ["#0b5cad", "#1f7a3a", "#b26a00", "#6b3fa0", "#b3261e", "#4a5561"];
  draw("chart-trends", {
    type: "line",
    data: {
      labels: data.trends.years,
      datasets: data.trends.series.map(function (s, i) {
        return { label: s.label, data: s.values, borderColor: palette[i % palette.length], spanGaps: true };
      })
    },
    options: {
      plugins: { title: { display: true, text: data.trends.title } },
      scales: { y: { min: 0, max: 100 } }
    }
  });
})();
