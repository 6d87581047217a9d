// @ts-check
import { downloadCsv } from './api-client.js';
import { formatCount, formatUsd } from './format.js';

/**
 * Builds an element. Text always goes in as text nodes, never as HTML, so
 * tenant ids and model names cannot inject markup.
 * @param {string} tag
 * @param {Record<string, string | boolean | ((event: Event) => void)>} [props]
 * @param {(Node | string | null | undefined)[]} children
 * @returns {HTMLElement}
 */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (value === true) element.setAttribute(name, '');
    else if (value !== false) element.setAttribute(name, value);
  }
  for (const child of children) {
    if (child !== null && child !== undefined) element.append(child);
  }
  return element;
}

/**
 * A money figure: the rounded text shown, the API's exact value kept in
 * `data-value` (and the tooltip) so that a reader or a test can compare.
 * @param {string | null | undefined} value
 * @param {Record<string, string>} [props]
 * @param {number} [places]
 */
export function money(value, props = {}, places = 2) {
  return h(
    'span',
    { class: 'money', 'data-value': value ?? '', title: value ? `$${value}` : '', ...props },
    formatUsd(value, places),
  );
}

/**
 * @param {number | null | undefined} value
 * @param {Record<string, string>} [props]
 */
export function count(value, props = {}) {
  return h(
    'span',
    { class: 'count', 'data-value': String(value ?? ''), ...props },
    formatCount(value),
  );
}

/**
 * A titled panel with a CSV button that downloads the API's CSV of exactly
 * the query the panel shows.
 * @param {string} title
 * @param {string} id
 * @param {{ path: string, params: Record<string, string | number | undefined> } | null} csv
 * @param {(Node | string | null)[]} body
 */
export function panel(title, id, csv, ...body) {
  const button = csv
    ? h(
        'button',
        {
          type: 'button',
          class: 'csv',
          'data-testid': `csv-${id}`,
          onclick: () => void downloadCsv(csv.path, { ...csv.params, format: 'csv' }),
        },
        'CSV',
      )
    : null;
  return h(
    'section',
    { class: 'panel', id: `panel-${id}` },
    h('header', {}, h('h2', {}, title), button),
    ...body,
  );
}

/**
 * A table; each column says how to render its cell.
 * @param {{ title: string, cell: (row: any) => Node | string, numeric?: boolean }[]} columns
 * @param {any[]} rows
 * @param {string} id
 */
export function table(columns, rows, id) {
  const head = h(
    'tr',
    {},
    ...columns.map((c) => h('th', c.numeric ? { class: 'num' } : {}, c.title)),
  );
  const body = rows.map((row) =>
    h('tr', {}, ...columns.map((c) => h('td', c.numeric ? { class: 'num' } : {}, c.cell(row)))),
  );
  if (rows.length === 0) {
    body.push(h('tr', {}, h('td', { colspan: String(columns.length), class: 'empty' }, 'No data')));
  }
  return h(
    'table',
    { 'data-testid': `table-${id}` },
    h('thead', {}, head),
    h('tbody', {}, ...body),
  );
}

/**
 * @param {string} text
 * @param {'info' | 'warning' | 'error'} [kind]
 */
export function notice(text, kind = 'info') {
  return h('p', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}
