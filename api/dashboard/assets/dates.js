// @ts-check
/** Calendar dates (YYYY-MM-DD) of a time zone, as the API takes them. */

const DAY_MS = 86_400_000;

/**
 * Today's date in `tz`, from this browser's clock.
 * @param {string} tz
 */
export function todayIn(tz) {
  try {
    return new Intl.DateTimeFormat('en-CA', { timeZone: tz }).format(new Date());
  } catch {
    // A zone the server knows but this browser does not: UTC is the honest fallback.
    return new Date().toISOString().slice(0, 10);
  }
}

/**
 * @param {string} date
 * @param {number} days
 */
export function addDays(date, days) {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** @param {string} date */
export function mondayOf(date) {
  const weekday = (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7;
  return addDays(date, -weekday);
}

/** @param {string} date */
export function monthStartOf(date) {
  return `${date.slice(0, 7)}-01`;
}

/** The browser's own zone, the dashboard's default. */
export function browserZone() {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}
