// @ts-check
import { ApiError, forgetKey, getJson, storedKey, storeKey } from './api-client.js';
import { addDays, browserZone, todayIn } from './dates.js';
import { h, notice } from './dom.js';

/**
 * @typedef {{ role: 'admin' | 'tenant', tenantId?: string, grants?: string[] }} Who
 * @typedef {{ start: string, end: string, tz: string, tenant: string }} Filters
 * @typedef {{ who: Who, filters: Filters, params: Record<string, string | undefined> }} PageContext
 */

/**
 * Runs a page: signs in when no key is stored, reads the filters from the
 * URL (so a view can be bookmarked and shared), and renders. The filters
 * shown are the ones the page uses.
 * @param {(context: PageContext) => Promise<(Node | null)[]>} render
 * @param {{ filters?: boolean }} [options]
 */
export async function startPage(render, options = {}) {
  const main = /** @type {HTMLElement} */ (document.getElementById('main'));
  if (!storedKey()) return showSignIn(main, () => startPage(render, options));

  let who;
  try {
    who = /** @type {Who} */ (await getJson('/api/whoami'));
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401)) {
      main.replaceChildren(notice(`The API did not answer: ${String(error)}`, 'error'));
      return;
    }
    forgetKey();
    return showSignIn(main, () => startPage(render, options), 'That key was refused.');
  }
  showWho(who);

  const filters = readFilters(who);
  if (options.filters !== false) showFilters(filters, who);
  const params = {
    startDate: filters.start,
    endDate: filters.end,
    tz: filters.tz,
    tenantId: who.role === 'admin' && filters.tenant ? filters.tenant : undefined,
  };
  try {
    const nodes = await render({ who, filters, params });
    main.replaceChildren(...nodes.filter((node) => node !== null));
  } catch (error) {
    main.replaceChildren(notice(error instanceof Error ? error.message : String(error), 'error'));
  }
  document.body.dataset.ready = 'true';
}

/**
 * @param {HTMLElement} main
 * @param {() => void} then
 * @param {string} [problem]
 */
function showSignIn(main, then, problem) {
  const input = /** @type {HTMLInputElement} */ (
    h('input', {
      type: 'password',
      id: 'api-key',
      autocomplete: 'off',
      required: true,
      placeholder: 'lck_…',
    })
  );
  const form = h(
    'form',
    {
      class: 'sign-in',
      onsubmit: (event) => {
        event.preventDefault();
        storeKey(input.value.trim());
        then();
      },
    },
    h('label', { for: 'api-key' }, 'API key'),
    input,
    h('button', { type: 'submit' }, 'Sign in'),
    h('p', { class: 'hint' }, 'The admin key or a tenant key (llmcost keys create --tenant T).'),
    problem ? notice(problem, 'error') : null,
  );
  main.replaceChildren(form);
  document.body.dataset.ready = 'sign-in';
}

/** @param {Who} who */
function showWho(who) {
  const target = document.getElementById('who');
  if (!target) return;
  const label = who.role === 'admin' ? 'admin' : `tenant ${who.tenantId}`;
  const signOut = h(
    'button',
    {
      type: 'button',
      class: 'link',
      onclick: () => {
        forgetKey();
        location.reload();
      },
    },
    'sign out',
  );
  target.replaceChildren(h('span', { 'data-testid': 'who' }, label), ' ', signOut);
}

/**
 * The filters in the URL, else the last 30 days in the browser's zone.
 * @param {Who} who
 * @returns {Filters}
 */
export function readFilters(who) {
  const query = new URLSearchParams(location.search);
  const tz = query.get('tz') || browserZone();
  const end = query.get('end') || todayIn(tz);
  const start = query.get('start') || addDays(end, -29);
  const tenant = who.role === 'tenant' ? (who.tenantId ?? '') : (query.get('tenant') ?? '');
  return { start, end, tz, tenant };
}

/**
 * @param {Filters} filters
 * @param {Who} who
 */
function showFilters(filters, who) {
  const form = /** @type {HTMLFormElement} */ (document.getElementById('filters'));
  const field = (/** @type {string} */ label, /** @type {HTMLElement} */ input) =>
    h('label', {}, h('span', {}, label), input);
  const zones = h('datalist', { id: 'zones' });
  const fields = [
    field(
      'From',
      h('input', { type: 'date', name: 'start', value: filters.start, required: true }),
    ),
    field('To', h('input', { type: 'date', name: 'end', value: filters.end, required: true })),
    field('Time zone', h('input', { name: 'tz', value: filters.tz, list: 'zones', size: '18' })),
  ];
  if (who.role === 'admin') {
    const tenant = h('input', {
      name: 'tenant',
      value: filters.tenant,
      placeholder: 'all tenants',
    });
    fields.push(field('Tenant', tenant));
  }
  form.replaceChildren(...fields, h('button', { type: 'submit' }, 'Apply'), zones);
  form.hidden = false;
  form.onsubmit = (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const query = new URLSearchParams(location.search);
    for (const name of ['start', 'end', 'tz', 'tenant']) {
      const value = String(data.get(name) ?? '').trim();
      if (value) query.set(name, value);
      else query.delete(name);
    }
    location.search = query.toString();
  };
  void getJson('/api/time-zones').then((answer) => {
    zones.replaceChildren(
      ...answer.timeZones.map((/** @type {string} */ zone) => h('option', { value: zone })),
    );
  });
}

/**
 * What a page says when an API it reads is absent (404) or closed to the key (403).
 * @param {unknown} error
 * @param {string} what
 */
export function unavailable(error, what) {
  if (error instanceof ApiError && error.status === 404) {
    return notice(
      `This server does not serve the ${what} API yet (it comes with the alerting consumer).`,
    );
  }
  if (error instanceof ApiError && error.status === 403) {
    return notice(`This key may not read ${what}.`, 'warning');
  }
  return notice(String(error instanceof Error ? error.message : error), 'error');
}
