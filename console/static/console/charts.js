// The charts page: fetch the one JSON endpoint (console/chart_views.charts_data) and draw with Chart.js.
(function () {
  "use strict";

  var box = document.getElementById("charts");
  if (!box || !window.Chart) {
    return;
  }
  var days = document.getElementById("id_days");
  if (days) {
    days.addEventListener("change", function () {
      days.form.submit();
    });
  }
  var blue = "#1f6feb", orange = "#d9822b", green = "#2da44e", grey = "#8c959f";
  var drawn = {};

  function hourLabel(iso) {
    return iso.slice(5, 13).replace("T", " ") + "h";
  }

  function draw(id, config) {
    if (drawn[id]) {
      drawn[id].destroy();
    }
    config.options = Object.assign({ animation: false, responsive: true, plugins: { legend: { display: config.legend !== false } } }, config.options || {});
    drawn[id] = new window.Chart(document.getElementById(id), config);
    box.dataset[id.replace(/-/g, "_")] = JSON.stringify(config.data.datasets.map(function (d) { return d.data; }));
  }

  function line(label, data, color) {
    return { label: label, data: data, borderColor: color, backgroundColor: color, pointRadius: 0, tension: 0.2 };
  }

  function show(data) {
    var hours = data.hours.map(hourLabel);
    draw("chart-backlog", { type: "line", data: { labels: hours, datasets: [line("Open loops", data.backlog, blue)] } });
    draw("chart-completions", { type: "bar", data: { labels: hours, datasets: [{ label: "Completed", data: data.completions, backgroundColor: green }] } });
    var total = data.completions.reduce(function (a, b) { return a + b; }, 0);
    document.getElementById("completions-total").textContent = total + " loops completed in the window.";
    var t = data.time_to_complete;
    draw("chart-duration", { type: "line", data: { labels: t.days, datasets: [line("p50", t.p50, blue), line("p90", t.p90, orange), line("p99", t.p99, grey)] } });
    var a = data.agreement;
    draw("chart-agreement", { type: "line", data: { labels: a.days, datasets: [line("Agreement", a.rate, green)] }, options: { scales: { y: { min: 0, max: 1 } } } });
    var r = data.reviewers;
    draw("chart-reviewers", {
      type: "bar",
      data: {
        labels: r.map(function (x) { return x.reviewer; }),
        datasets: [
          { label: "Answers", data: r.map(function (x) { return x.answers; }), backgroundColor: blue, yAxisID: "y" },
          { label: "Average seconds", data: r.map(function (x) { return x.avg_seconds; }), backgroundColor: orange, yAxisID: "y1" }
        ]
      },
      options: { aspectRatio: 4, scales: { y: { position: "left" }, y1: { position: "right", grid: { drawOnChartArea: false } } } }
    });
    var body = document.querySelector("#reviewer-table tbody");
    body.textContent = "";
    r.forEach(function (x) {
      var row = document.createElement("tr");
      [x.reviewer, x.answers, x.avg_seconds === null ? "–" : x.avg_seconds, x.gold_accuracy === null ? "–" : Math.round(x.gold_accuracy * 100) + " %"].forEach(function (value, i) {
        var cell = document.createElement("td");
        cell.textContent = value;
        if (i > 0) {
          cell.className = "num";
        }
        row.appendChild(cell);
      });
      body.appendChild(row);
    });
    box.dataset.loaded = String(Number(box.dataset.loaded || 0) + 1);
  }

  function load() {
    fetch(box.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(show)
      .catch(function () {});
  }

  load();
  // Keep the charts current while the page is open.
  window.setInterval(load, 30000);
})();
