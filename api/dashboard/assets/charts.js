// @ts-check
import { h } from './dom.js';
import { formatUsd } from './format.js';

/** Chart.js, loaded before the page's module from /analytics/vendor/. */
const ChartJs = /** @type {typeof import('chart.js').Chart} */ (/** @type {any} */ (window).Chart);

const PALETTE = [
  '#2563eb',
  '#f59e0b',
  '#10b981',
  '#ef4444',
  '#8b5cf6',
  '#06b6d4',
  '#ec4899',
  '#84cc16',
  '#f97316',
  '#64748b',
];

/** @param {number} index */
export function colour(index) {
  return PALETTE[index % PALETTE.length] ?? '#64748b';
}

/**
 * A chart in a box of fixed height, or a sentence when there is nothing to
 * draw: an empty axis would read as "zero" where "no calls" is meant.
 * @param {string} id
 * @param {import('chart.js').ChartConfiguration} config
 * @param {boolean} empty
 */
function chartBox(id, config, empty) {
  if (empty)
    return h(
      'p',
      { class: 'empty-chart', 'data-testid': `chart-${id}-empty` },
      'No spend in this range',
    );
  const canvas = /** @type {HTMLCanvasElement} */ (h('canvas', { 'aria-label': id, role: 'img' }));
  const box = h('div', { class: 'chart', 'data-testid': `chart-${id}` }, canvas);
  new ChartJs(canvas, {
    ...config,
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      ...config.options,
    },
  });
  return box;
}

/** Value-axis ticks in dollars; an axis is a picture, so a float is precise enough here. */
const usdTicks = {
  callback: (/** @type {string | number} */ value) =>
    `$${Number(value).toLocaleString('en-US', { maximumFractionDigits: 6 })}`,
};

/** @type {import('chart.js').TooltipOptions['callbacks']['label']} */
const usdLabel = (item) => `${item.dataset.label ?? item.label}: ${formatUsd(String(item.raw))}`;

/**
 * Bars of dollars, horizontal when the labels are names.
 * @param {string} id
 * @param {string[]} labels
 * @param {number[]} values
 * @param {{ horizontal?: boolean, label?: string }} [options]
 */
export function barChart(id, labels, values, options = {}) {
  const horizontal = options.horizontal ?? false;
  return chartBox(
    id,
    {
      type: 'bar',
      data: {
        labels,
        datasets: [
          { label: options.label ?? 'Cost (USD)', data: values, backgroundColor: colour(0) },
        ],
      },
      options: {
        indexAxis: horizontal ? 'y' : 'x',
        scales: horizontal ? { x: { ticks: usdTicks } } : { y: { ticks: usdTicks } },
        plugins: { legend: { display: false }, tooltip: { callbacks: { label: usdLabel } } },
      },
    },
    values.every((value) => value === 0),
  );
}

/**
 * @param {string} id
 * @param {string[]} labels
 * @param {number[]} values
 */
export function doughnutChart(id, labels, values) {
  return chartBox(
    id,
    {
      type: 'doughnut',
      data: {
        labels,
        datasets: [
          { label: 'Cost', data: values, backgroundColor: labels.map((_, i) => colour(i)) },
        ],
      },
      options: {
        plugins: { legend: { position: 'right' }, tooltip: { callbacks: { label: usdLabel } } },
      },
    },
    values.every((value) => value === 0),
  );
}

/**
 * One line per series over the same periods.
 * @param {string} id
 * @param {string[]} labels
 * @param {{ label: string, values: number[] }[]} series
 * @param {{ stacked?: boolean }} [options]
 */
export function seriesChart(id, labels, series, options = {}) {
  const stacked = options.stacked ?? false;
  return chartBox(
    id,
    {
      type: stacked ? 'bar' : 'line',
      data: {
        labels,
        datasets: series.map((s, i) => ({
          label: s.label,
          data: s.values,
          borderColor: colour(i),
          backgroundColor: colour(i),
          tension: 0.2,
          pointRadius: labels.length > 60 ? 0 : 3,
        })),
      },
      options: {
        scales: { x: { stacked }, y: { stacked, beginAtZero: true, ticks: usdTicks } },
        plugins: {
          legend: { display: series.length > 1 },
          tooltip: { callbacks: { label: usdLabel } },
        },
      },
    },
    series.every((s) => s.values.every((value) => value === 0)),
  );
}
