// @ts-check
/**
 * Talks to the cost API with the key the reader signed in with. The key is
 * kept in sessionStorage: it lasts as long as the tab and is never put in a
 * URL, where logs and history would keep it.
 */

const KEY = 'llmcost.apiKey';

/** An answer of the API other than 2xx, with its status and message. */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} message
   */
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** The key of this tab's session, if signed in. */
export function storedKey() {
  return sessionStorage.getItem(KEY);
}

/**
 * Signs in this tab with `key`.
 * @param {string} key
 */
export function storeKey(key) {
  sessionStorage.setItem(KEY, key);
}

/** Signs out: the key leaves this tab's session storage. */
export function forgetKey() {
  sessionStorage.removeItem(KEY);
}

/**
 * @param {string} path
 * @param {Record<string, string | number | undefined>} params
 */
export function apiUrl(path, params = {}) {
  const url = new URL(path, location.origin);
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') url.searchParams.set(name, String(value));
  }
  return url;
}

/**
 * @param {URL} url
 * @param {string} accept
 */
async function request(url, accept) {
  const response = await fetch(url, {
    headers: { authorization: `Bearer ${storedKey() ?? ''}`, accept },
  });
  if (response.ok) return response;

  let message = `HTTP ${response.status}`;
  try {
    message = (await response.json()).error?.message ?? message;
  } catch {
    // Not a JSON error body (a proxy's page, say): the status says enough.
  }
  throw new ApiError(response.status, message);
}

/**
 * GETs a JSON answer.
 * @param {string} path
 * @param {Record<string, string | number | undefined>} [params]
 * @returns {Promise<any>}
 */
export async function getJson(path, params = {}) {
  return (await request(apiUrl(path, params), 'application/json')).json();
}

/**
 * Downloads the CSV of a query, as the API writes it, under its own name.
 * @param {string} path
 * @param {Record<string, string | number | undefined>} params
 */
export async function downloadCsv(path, params) {
  const response = await request(apiUrl(path, params), 'text/csv');
  const disposition = response.headers.get('content-disposition') ?? '';
  const name = /filename="([^"]+)"/.exec(disposition)?.[1] ?? 'costs.csv';
  const link = document.createElement('a');
  link.href = URL.createObjectURL(await response.blob());
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}
