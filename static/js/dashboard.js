/* Supervisor dashboard charts (ECharts, served locally; its built-in locale is Chinese).
 * Data comes from the page's <script id="dashboard-data" type="application/json">. Clicking a
 * region in the backlog chart (bar or label) opens that region's dashboard. */
(function () {
  "use strict";
  const dataElement = document.getElementById("dashboard-data");
  if (!dataElement || typeof echarts === "undefined") return;
  const data = JSON.parse(dataElement.textContent);
  const charts = {};
  window.dashboardCharts = charts; // for browser tests and the console

  const grid = { left: 8, right: 24, top: 40, bottom: 8, containLabel: true };
  // Tooltips drawn on the canvas: ECharts' HTML tooltips carry style attributes, which the
  // Content-Security-Policy (style-src 'self') refuses.
  const tooltip = (options) => ({ renderMode: "richText", ...options });
  const legend = { top: 0, type: "scroll" };

  function init(name, option) {
    const element = document.querySelector(`[data-chart="${name}"]`);
    if (!element) return null;
    const chart = echarts.init(element, null, { renderer: "canvas" });
    chart.setOption(option);
    charts[name] = chart;
    return chart;
  }

  if (data.months) {
    init("monthly", {
      tooltip: tooltip({ trigger: "axis", axisPointer: { type: "shadow" } }),
      legend,
      grid,
      xAxis: { type: "category", data: data.months },
      yAxis: { type: "value", minInterval: 1 },
      series: data.raised.map((s) => ({ ...s, type: "bar", stack: "raised", barMaxWidth: 36 })),
    });
  }

  const backlog = data.backlog || [];
  const backlogElement = document.querySelector('[data-chart="backlog"]');
  if (backlogElement) {
    // One row per region: tall enough to read every name, never squashed.
    backlogElement.style.height = `${Math.max(260, 60 + backlog.length * 26)}px`;
  }
  const backlogChart = init("backlog", {
    tooltip: tooltip({ trigger: "axis", axisPointer: { type: "shadow" } }),
    legend,
    grid,
    xAxis: { type: "value", minInterval: 1 },
    yAxis: {
      type: "category",
      inverse: true,
      triggerEvent: true,
      data: backlog.map((r) => r.name),
      axisLabel: { color: "#0d6efd", width: 160, overflow: "truncate" },
    },
    series: [
      { name: data.labels.open, type: "bar", stack: "open", data: backlog.map((r) => r.open), color: "#5470c6", barMaxWidth: 22 },
      { name: data.labels.overdue, type: "bar", stack: "open", data: backlog.map((r) => r.overdue), color: "#dc3545", barMaxWidth: 22 },
    ],
  });
  if (backlogChart) {
    backlogChart.on("click", (params) => {
      const index = params.componentType === "yAxis"
        ? backlog.findIndex((r) => r.name === params.value)
        : params.dataIndex;
      const row = backlog[index];
      if (row && row.url) window.location.href = row.url;
    });
    backlogChart.getZr().on("mousemove", (event) => {
      backlogChart.getZr().setCursorStyle(event.target ? "pointer" : "default");
    });
  }

  if (data.outcomes) {
    // One row per outcome, a stacked segment per alert category (four legend entries fit).
    init("outcomes", {
      tooltip: tooltip({ trigger: "axis", axisPointer: { type: "shadow" } }),
      legend,
      grid,
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", inverse: true, data: data.outcomes.labels },
      series: data.outcomes.series.map((s) => ({ ...s, type: "bar", stack: "outcome", barMaxWidth: 20 })),
    });
  }

  if (data.monitored) {
    init("monitored", {
      tooltip: tooltip({ trigger: "item", formatter: "{b}：{c} 人（{d}%）" }),
      legend: { ...legend, left: "center" },
      series: [{
        type: "pie",
        radius: ["38%", "68%"],
        center: ["50%", "56%"],
        label: { formatter: "{b}\n{c}" },
        data: data.monitored.filter((d) => d.value > 0),
      }],
    });
  }

  window.addEventListener("resize", () => Object.values(charts).forEach((c) => c.resize()));
})();
