// api.js - every fetch of the dashboard. Two backends, chosen once at
// start: the live one (`frontwatch serve`, JSON under api/) and the static
// one (`frontwatch export`: plain files under data/, data/meta.json has
// "static": true). The rest of the code calls these functions and does not
// know which backend it is on. URLs are relative to the site root, the
// folder above this file, so the site works under any prefix and from a
// static host.

export const ROOT = new URL('../', import.meta.url);

export class ApiError extends Error {
  constructor(message, status = 0, code = '') {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

let meta = null;
let isStatic = false;
let staticPlaces = null; // data/places.json, loaded on the first search

function url(path) {
  return new URL(path, ROOT).href;
}

async function getJSON(path, { signal, allow404 = false } = {}) {
  let res;
  try {
    res = await fetch(url(path), { signal, headers: { Accept: 'application/json' } });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(e.message || String(e));
  }
  if (allow404 && res.status === 404) return null;
  let body = null;
  try {
    body = await res.json();
  } catch {
    body = null;
  }
  if (!res.ok) {
    const err = body && body.error;
    throw new ApiError(err && err.message ? err.message : `HTTP ${res.status}`, res.status,
      err && err.code ? err.code : '');
  }
  if (body === null) throw new ApiError(`${path}: not JSON`);
  return body;
}

/* Finds the backend and loads the meta data; call once before the rest. */
export async function init() {
  if (meta) return meta;
  let m = null;
  try {
    m = await getJSON('data/meta.json', { allow404: true });
  } catch {
    m = null; // no static data here: the live server
  }
  if (m && m.static === true) {
    isStatic = true;
    meta = m;
  } else {
    meta = await getJSON('api/meta');
  }
  if (!Array.isArray(meta.dates)) meta.dates = [];
  return meta;
}

export function getMeta() {
  return meta;
}

export function staticBackend() {
  return isStatic;
}

/* The newest of meta.dates at or before date (else the first). */
export function snapDate(date) {
  const ds = meta.dates;
  if (!ds.length) return date;
  let best = ds[0];
  for (const d of ds) {
    if (d <= date) best = d;
    else break;
  }
  return best;
}

export function oblasts() {
  return getJSON(isStatic ? 'data/oblasts.json' : 'api/oblasts');
}

export function frontline(date, { signal } = {}) {
  if (isStatic) return getJSON(`data/frontline/${snapDate(date)}.json`, { signal });
  return getJSON(`api/frontline?date=${encodeURIComponent(date)}`, { signal });
}

export function placemap(date, { signal } = {}) {
  if (isStatic) return getJSON(`data/placemap/${snapDate(date)}.json`, { signal });
  return getJSON(`api/placemap?date=${encodeURIComponent(date)}`, { signal });
}

/* Lower case, apostrophes dropped: "Kam'yanske" matches "Kamyanske" and
   "Камʼянське" matches "Кам'янське". */
export function normalize(s) {
  return String(s || '')
    .normalize('NFC')
    .toLowerCase()
    .replace(/['’ʼ`´‘]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

function searchStatic(q, limit) {
  const nq = normalize(q);
  if (!nq) return [];
  const hits = [];
  for (const p of staticPlaces) {
    const a = normalize(p.name);
    const b = normalize(p.name_local);
    let rank = -1;
    if (a === nq || b === nq) rank = 0;
    else if (a.startsWith(nq) || b.startsWith(nq)) rank = 1;
    else if (a.includes(nq) || b.includes(nq)) rank = 2;
    if (rank >= 0) hits.push([rank, -(p.population || 0), p]);
  }
  hits.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  return hits.slice(0, limit).map((h) => h[2]);
}

/* Places whose name (any spelling) matches q, best first. */
export async function searchPlaces(q, limit = 10, { signal } = {}) {
  if (isStatic) {
    if (!staticPlaces) staticPlaces = (await getJSON('data/places.json', { signal })).places || [];
    return searchStatic(q, limit);
  }
  const r = await getJSON(`api/places?q=${encodeURIComponent(q)}&limit=${limit}`, { signal });
  return r.places || [];
}

/* The assessment of a place on a day. The static copy has the newest day
   only: the answer's "date" says which day it is. */
export function assess(id, date, { signal } = {}) {
  if (isStatic) return getJSON(`data/assess/${encodeURIComponent(id)}.json`, { signal });
  return getJSON(`api/assess/${encodeURIComponent(id)}?date=${encodeURIComponent(date)}`, { signal });
}

/* The place's days from..to (either may be empty). */
export async function history(id, from, to, { signal } = {}) {
  if (isStatic) {
    const h = await getJSON(`data/history/${encodeURIComponent(id)}.json`, { signal });
    h.days = (h.days || []).filter((d) => (!from || d.date >= from) && (!to || d.date <= to));
    return h;
  }
  const qs = new URLSearchParams();
  if (from) qs.set('from', from);
  if (to) qs.set('to', to);
  return getJSON(`api/history/${encodeURIComponent(id)}?${qs}`, { signal });
}

export function sources() {
  if (isStatic) return Promise.resolve({ sources: [] });
  return getJSON('api/sources');
}

/* The address of a place's page (absolute). */
export function placeUrl(id, lang, date) {
  if (isStatic) return url(`place/${encodeURIComponent(id)}/${lang}.html`);
  const qs = new URLSearchParams();
  if (date) qs.set('date', date);
  qs.set('lang', lang);
  return url(`place/${encodeURIComponent(id)}?${qs}`);
}

/* The address of the map page, optionally on a place and a day. */
export function mapUrl(id, date) {
  const h = new URLSearchParams();
  if (date) h.set('date', date);
  if (id !== undefined && id !== null) h.set('place', id);
  const s = h.toString();
  return ROOT.href + (s ? `#${s}` : '');
}
