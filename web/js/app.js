// app.js - the map page: the occupied area of a week on the oblast
// outlines (Leaflet, no tiles), the places coloured by their chance of
// occupation or distance to the front, a week slider that replays the war,
// the search and the place card. State in the address's hash
// (#date=YYYY-MM-DD&place=ID) so that a view can be shared or reloaded.

import * as api from './api.js';
import {
  t, lang, setLang, translate, buildLangSwitch, fmtDate, fmtKm, fmtChange, fmtPercent,
  fmtNumber, statusText, placeName, daysBetween, fmtDays,
} from './i18n.js';

const L = window.L;
const $ = (id) => document.getElementById(id);

const COLORS = {
  occupied: '#b3261e',
  occupied_before_2022: '#5c0a1e',
  contested: '#f08c00',
  placeOccupied: '#3b0a12',
  unknown: '#9e9e9e',
};
// Distance bands (km) and chance bands (0..1): first colour = most danger.
const DIST_BANDS = [5, 20, 50, 100];
const PROB_BANDS = [0.5, 0.2, 0.05, 0.01];
const SCALE = ['#7a0177', '#c51b8a', '#f768a1', '#fbb4b9', '#fff5d6'];
const DEBOUNCE_MS = 250;
const PLAY_STEP_MS = 900;

const state = {
  meta: null,
  index: 0, // into meta.dates
  date: null,
  placemap: null, // the loaded /api/placemap answer
  placeById: new Map(),
  oblastNames: new Map(), // iso -> {en, uk}
  selected: null, // place id
  playing: false,
  loadSeq: 0,
  cardSeq: 0,
};

let map;
let oblastLayer;
let frontLayer;
let placeLayer;
let selectedMarker;
let loadTimer = null;
let loadAbort = null;
let playTimer = null;

/* ---------- helpers ---------- */

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

function oblastName(iso, fallback) {
  const n = state.oblastNames.get(iso);
  const name = n ? (lang() === 'uk' ? n.uk || n.en : n.en || n.uk) : fallback;
  if (!name) return '';
  // Kyiv city, Sevastopol and Crimea are not oblasts
  if (['UA-30', 'UA-40', 'UA-43'].includes(iso)) return name;
  return t('card_oblast', { oblast: name });
}

function basis() {
  return (state.placemap && state.placemap.basis) || state.meta.basis || 'distance';
}

function placeColor(p) {
  if (p.status === 'occupied' || p.status === 'occupied_before_2022') return COLORS.placeOccupied;
  if (basis() === 'model') {
    const v = p.p_occupied_90d;
    if (v === null || v === undefined) return COLORS.unknown;
    const i = PROB_BANDS.findIndex((b) => v >= b);
    return SCALE[i < 0 ? SCALE.length - 1 : i];
  }
  const d = p.distance_km;
  if (d === null || d === undefined) return COLORS.unknown;
  const i = DIST_BANDS.findIndex((b) => d < b);
  return SCALE[i < 0 ? SCALE.length - 1 : i];
}

function placeRadius(p) {
  const pop = p.population || 0;
  if (pop >= 500000) return 8;
  if (pop >= 100000) return 6;
  if (pop >= 20000) return 4.5;
  if (pop >= 5000) return 3.5;
  return 2.5;
}

function readHash() {
  const h = new URLSearchParams(location.hash.slice(1));
  return { date: h.get('date'), place: h.get('place') };
}

function writeHash() {
  const h = new URLSearchParams();
  if (state.date) h.set('date', state.date);
  if (state.selected !== null) h.set('place', state.selected);
  history.replaceState(null, '', `#${h}`);
}

/* ---------- static texts, language ---------- */

function applyLanguage() {
  document.documentElement.lang = lang();
  document.title = t('app_title');
  translate();
  buildLangSwitch($('lang-switch'), (l) => {
    setLang(l);
    applyLanguage();
    setZoomControl();
    renderDateLabel();
    renderLegend();
    renderStatus();
    renderRisk();
    if (state.selected !== null) openCard(state.selected, { focus: false, pan: false });
    rerunSearch();
  });
  setPlayButton();
}

/* ---------- map ---------- */

function initMap() {
  map = L.map('map', {
    preferCanvas: true,
    zoomSnap: 0.25,
    minZoom: 4,
    maxZoom: 12,
    attributionControl: true,
    zoomControl: false,
    worldCopyJump: false,
  });
  setZoomControl();
  map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
  map.createPane('front');
  map.getPane('front').style.zIndex = 420;
  map.createPane('places');
  map.getPane('places').style.zIndex = 450;
  map.setView([48.6, 31.2], 5);
  map.on('zoomend', onZoom);
  // the map container is not a tab stop trap: Leaflet makes it focusable
  // for keyboard panning and zooming, which we keep.
}

let zoomControl = null;
function setZoomControl() {
  if (zoomControl) zoomControl.remove();
  zoomControl = L.control.zoom({ zoomInTitle: t('zoom_in'), zoomOutTitle: t('zoom_out') }).addTo(map);
}

async function loadOblasts() {
  const fc = await api.oblasts();
  for (const f of fc.features || []) {
    const p = f.properties || {};
    if (p.iso) state.oblastNames.set(p.iso, { en: p.name_en, uk: p.name_uk });
  }
  oblastLayer = L.geoJSON(fc, {
    interactive: false,
    style: { color: '#6b7280', weight: 1, fillColor: '#fbfaf6', fillOpacity: 1 },
  }).addTo(map);
  const b = oblastLayer.getBounds();
  if (b.isValid()) map.fitBounds(b, { padding: [4, 4] });
}

function frontStyle(f) {
  const c = (f.properties && f.properties.class) || 'occupied';
  if (c === 'contested') {
    return { pane: 'front', color: COLORS.contested, weight: 1, dashArray: '3 3', fillColor: COLORS.contested, fillOpacity: 0.35 };
  }
  if (c === 'occupied_before_2022') {
    return { pane: 'front', color: COLORS.occupied_before_2022, weight: 0.5, fillColor: COLORS.occupied_before_2022, fillOpacity: 0.8 };
  }
  return { pane: 'front', color: COLORS.occupied, weight: 0.5, fillColor: COLORS.occupied, fillOpacity: 0.72 };
}

function countVertices(g) {
  if (!g) return 0;
  if (g.type === 'GeometryCollection') return g.geometries.reduce((s, x) => s + countVertices(x), 0);
  const walk = (c) => (typeof c[0] === 'number' ? 1 : c.reduce((s, x) => s + walk(x), 0));
  return g.coordinates ? walk(g.coordinates) : 0;
}

function drawFront(fc) {
  if (frontLayer) frontLayer.remove();
  frontLayer = L.geoJSON(fc, { interactive: false, style: frontStyle, pane: 'front' }).addTo(map);
  const feats = fc.features || [];
  const s = $('map-status');
  s.dataset.features = String(feats.length);
  s.dataset.occupied = String(feats.filter((f) => f.properties && f.properties.class !== 'contested').length);
  s.dataset.vertices = String(feats.reduce((n, f) => n + countVertices(f.geometry), 0));
  s.dataset.mapDate = fc.map || '';
  s.dataset.source = fc.source || '';
  state.front = { map: fc.map || null, source: fc.source || null, count: feats.length };
}

// Marker size grows with the zoom: at the country view 3,400 places
// would cover the map. Occupied places, inside the drawn occupied area,
// are shown from zoom 8 on only.
const OCCUPIED_PLACES_ZOOM = 8;
let occupiedPlaceLayer;
let placeMarkers = [];

function zoomFactor() {
  const z = map.getZoom();
  if (z <= 5) return 0.45;
  if (z <= 6) return 0.6;
  if (z <= 7) return 0.8;
  return 1;
}

function onZoom() {
  const f = zoomFactor();
  for (const [m, p] of placeMarkers) m.setRadius(placeRadius(p) * f);
  if (!occupiedPlaceLayer) return;
  const show = map.getZoom() >= OCCUPIED_PLACES_ZOOM;
  if (show && !map.hasLayer(occupiedPlaceLayer)) occupiedPlaceLayer.addTo(map);
  if (!show && map.hasLayer(occupiedPlaceLayer)) occupiedPlaceLayer.remove();
}

function drawPlaces(pm) {
  if (placeLayer) placeLayer.remove();
  if (occupiedPlaceLayer) occupiedPlaceLayer.remove();
  placeLayer = L.layerGroup();
  occupiedPlaceLayer = L.layerGroup();
  placeMarkers = [];
  state.placeById = new Map();
  const f = zoomFactor();
  // small places first, so that cities are drawn on top
  const places = [...(pm.places || [])].sort((a, b) => (a.population || 0) - (b.population || 0));
  for (const p of places) {
    state.placeById.set(String(p.id), p);
    const occupied = p.status === 'occupied' || p.status === 'occupied_before_2022';
    const m = L.circleMarker([p.lat, p.lon], {
      pane: 'places',
      radius: placeRadius(p) * f,
      color: '#1f2933',
      weight: 0.6,
      fillColor: placeColor(p),
      fillOpacity: 0.95,
    });
    m.bindTooltip(() => placeName(p), { direction: 'top', offset: [0, -4] });
    m.on('click', () => openCard(p.id, { pan: false }));
    placeMarkers.push([m, p]);
    (occupied ? occupiedPlaceLayer : placeLayer).addLayer(m);
  }
  placeLayer.addTo(map);
  onZoom();
  highlightSelected();
}

function highlightSelected() {
  if (selectedMarker) {
    selectedMarker.remove();
    selectedMarker = null;
  }
  if (state.selected === null) return;
  const p = state.placeById.get(String(state.selected)) || state.selectedPlace;
  if (!p) return;
  selectedMarker = L.circleMarker([p.lat, p.lon], {
    pane: 'places', radius: 12, color: '#0b57d0', weight: 3, fill: false, interactive: false,
  }).addTo(map);
}

/* ---------- date, loading ---------- */

function renderDateLabel() {
  const s = $('date-slider');
  $('date-now').textContent = state.date ? fmtDate(state.date, 'long') : '';
  s.setAttribute('aria-valuetext', state.date ? fmtDate(state.date, 'long') : '');
}

function renderStatus() {
  const s = $('map-status');
  if (s.dataset.loading === '1') {
    s.textContent = t('map_loading', { date: fmtDate(state.date) });
  } else if (s.dataset.error) {
    s.textContent = t('map_failed', { msg: s.dataset.error });
  } else if (state.front && state.front.map) {
    s.textContent = t('map_status', {
      map: fmtDate(state.front.map), source: state.front.source || '?', date: fmtDate(state.date),
    });
  } else {
    s.textContent = t('map_status_none', { date: fmtDate(state.date) });
  }
}

function setIndex(i, { immediate = false } = {}) {
  const ds = state.meta.dates;
  if (!ds.length) return;
  state.index = Math.max(0, Math.min(ds.length - 1, i));
  state.date = ds[state.index];
  $('date-slider').value = String(state.index);
  renderDateLabel();
  writeHash();
  const s = $('map-status');
  s.dataset.loading = '1';
  s.dataset.date = state.date;
  renderStatus();
  clearTimeout(loadTimer);
  loadTimer = setTimeout(loadDate, immediate ? 0 : DEBOUNCE_MS);
}

async function loadDate() {
  const seq = ++state.loadSeq;
  if (loadAbort) loadAbort.abort();
  loadAbort = new AbortController();
  const { signal } = loadAbort;
  const date = state.date;
  const s = $('map-status');
  try {
    const [fc, pm] = await Promise.all([
      api.frontline(date, { signal }),
      api.placemap(date, { signal }),
    ]);
    if (seq !== state.loadSeq) return;
    drawFront(fc);
    state.placemap = pm;
    drawPlaces(pm);
    delete s.dataset.error;
    s.dataset.loading = '0';
    renderStatus();
    renderLegend();
    renderRisk();
    if (state.selected !== null) openCard(state.selected, { focus: false, pan: false });
    document.body.dataset.ready = '1';
  } catch (e) {
    if (e.name === 'AbortError' || seq !== state.loadSeq) return;
    s.dataset.error = e.message;
    s.dataset.loading = '0';
    renderStatus();
  } finally {
    if (seq === state.loadSeq && state.playing) schedulePlay();
  }
}

function setPlayButton() {
  const b = $('play');
  b.setAttribute('aria-pressed', String(state.playing));
  b.setAttribute('aria-label', state.playing ? t('pause') : t('play'));
  b.title = state.playing ? t('pause') : t('play');
  $('play-icon').textContent = state.playing ? '❚❚' : '▶';
}

function schedulePlay() {
  clearTimeout(playTimer);
  playTimer = setTimeout(() => {
    if (!state.playing) return;
    if (state.index >= state.meta.dates.length - 1) {
      togglePlay(false);
      return;
    }
    setIndex(state.index + 1, { immediate: true });
  }, PLAY_STEP_MS);
}

function togglePlay(on = !state.playing) {
  state.playing = on;
  setPlayButton();
  if (on) {
    if (state.index >= state.meta.dates.length - 1) setIndex(0, { immediate: true });
    else schedulePlay();
  } else {
    clearTimeout(playTimer);
  }
}

/* ---------- legend and the list of places nearest the front ---------- */

function swatch(color, kind = 'area') {
  return el('span', { class: `swatch swatch-${kind}`, style: `--c:${color}`, 'aria-hidden': 'true' });
}

function renderLegend() {
  const lg = $('legend');
  lg.textContent = '';
  lg.append(el('h2', { class: 'legend-title', text: t('legend_title') }));
  const areas = el('ul', { class: 'legend-list' },
    el('li', {}, swatch(COLORS.occupied), t('legend_occupied')),
    el('li', {}, swatch(COLORS.occupied_before_2022), t('legend_occupied_before_2022')),
    el('li', {}, swatch(COLORS.contested, 'hatch'), t('legend_contested')));
  lg.append(areas);
  const b = basis();
  lg.dataset.basis = b;
  lg.append(el('p', { class: 'legend-sub', text: b === 'model' ? t('legend_places_model') : t('legend_places_distance') }));
  const items = el('ul', { class: 'legend-list legend-scale' });
  if (b === 'model') {
    const pct = (v) => fmtPercent(v);
    items.append(el('li', {}, swatch(SCALE[0], 'dot'), t('band_ge', { a: pct(0.5) })));
    items.append(el('li', {}, swatch(SCALE[1], 'dot'), t('band_range', { a: pct(0.2), b: pct(0.5) })));
    items.append(el('li', {}, swatch(SCALE[2], 'dot'), t('band_range', { a: pct(0.05), b: pct(0.2) })));
    items.append(el('li', {}, swatch(SCALE[3], 'dot'), t('band_range', { a: pct(0.01), b: pct(0.05) })));
    items.append(el('li', {}, swatch(SCALE[4], 'dot'), t('band_lt', { b: pct(0.01) })));
  } else {
    const km = (v) => t('km', { n: fmtNumber(v) });
    items.append(el('li', {}, swatch(SCALE[0], 'dot'), t('band_lt', { b: km(5) })));
    items.append(el('li', {}, swatch(SCALE[1], 'dot'), t('band_range', { a: fmtNumber(5), b: km(20) })));
    items.append(el('li', {}, swatch(SCALE[2], 'dot'), t('band_range', { a: fmtNumber(20), b: km(50) })));
    items.append(el('li', {}, swatch(SCALE[3], 'dot'), t('band_range', { a: fmtNumber(50), b: km(100) })));
    items.append(el('li', {}, swatch(SCALE[4], 'dot'), t('band_ge', { a: km(100) })));
  }
  items.append(el('li', {}, swatch(COLORS.placeOccupied, 'dot'), t('legend_place_occupied')));
  items.append(el('li', {}, swatch(COLORS.unknown, 'dot'), t('legend_place_unknown')));
  lg.append(items);
  if (b !== 'model') lg.append(el('p', { class: 'legend-note', text: t('legend_no_model') }));
}

function renderRisk() {
  const list = $('risk-list');
  list.textContent = '';
  if (!state.placemap) return;
  const b = basis();
  $('risk-hint').textContent = b === 'model'
    ? t('risk_hint_model', { date: fmtDate(state.date) })
    : t('risk_hint_distance', { date: fmtDate(state.date) });
  const free = (state.placemap.places || []).filter((p) => p.status === 'free'
    && (b === 'model' ? p.p_occupied_90d != null : p.distance_km != null)
    && (p.population || 0) >= 1000);
  free.sort(b === 'model'
    ? (x, y) => y.p_occupied_90d - x.p_occupied_90d || x.distance_km - y.distance_km
    : (x, y) => x.distance_km - y.distance_km || (y.population || 0) - (x.population || 0));
  const top = free.slice(0, 10);
  if (!top.length) {
    list.append(el('li', { class: 'empty', text: t('risk_empty') }));
    return;
  }
  for (const p of top) {
    const fig = b === 'model' ? fmtPercent(p.p_occupied_90d) : fmtKm(p.distance_km);
    list.append(el('li', {},
      el('button', { type: 'button', class: 'place-btn', 'data-place-id': p.id, onclick: () => openCard(p.id) },
        swatch(placeColor(p), 'dot'),
        el('span', { class: 'pname', text: placeName(p) }),
        el('span', { class: 'pfig', text: fig }))));
  }
}

/* ---------- search ---------- */

let searchTimer = null;
let searchAbort = null;
let searchResults = [];
let activeResult = -1;

function setActive(i) {
  const ul = $('search-results');
  const items = [...ul.querySelectorAll('[role="option"]')];
  activeResult = items.length ? (i + items.length) % items.length : -1;
  items.forEach((li, k) => li.setAttribute('aria-selected', String(k === activeResult)));
  const input = $('search');
  if (activeResult >= 0) {
    input.setAttribute('aria-activedescendant', items[activeResult].id);
    items[activeResult].scrollIntoView({ block: 'nearest' });
  } else {
    input.removeAttribute('aria-activedescendant');
  }
}

function closeResults() {
  $('search-results').hidden = true;
  $('search').setAttribute('aria-expanded', 'false');
  $('search').removeAttribute('aria-activedescendant');
  activeResult = -1;
}

function renderResults(q) {
  const ul = $('search-results');
  ul.textContent = '';
  if (!q) {
    closeResults();
    $('search-count').textContent = '';
    return;
  }
  if (!searchResults.length) {
    ul.append(el('li', { class: 'empty', role: 'presentation', text: t('search_none', { q }) }));
  }
  searchResults.forEach((p, i) => {
    const ob = oblastName(p.oblast_iso, p.oblast);
    const li = el('li', {
      id: `result-${i}`, role: 'option', 'aria-selected': 'false', 'data-place-id': p.id,
      onclick: () => choose(i),
      onmousemove: () => { if (activeResult !== i) setActive(i); },
    },
    el('span', { class: 'pname', text: placeName(p) }),
    el('span', { class: 'pmeta', text: [ob, p.population ? t('card_population', { n: fmtNumber(p.population) }) : ''].filter(Boolean).join(' · ') }));
    ul.append(li);
  });
  ul.hidden = false;
  $('search').setAttribute('aria-expanded', 'true');
  $('search-count').textContent = searchResults.length ? t('search_results', { n: searchResults.length }) : t('search_none', { q });
  setActive(searchResults.length ? 0 : -1);
}

async function runSearch() {
  const q = $('search').value.trim();
  if (searchAbort) searchAbort.abort();
  if (!q) {
    searchResults = [];
    renderResults('');
    return;
  }
  searchAbort = new AbortController();
  const input = $('search');
  input.dataset.searching = '1';
  try {
    searchResults = await api.searchPlaces(q, 10, { signal: searchAbort.signal });
    if ($('search').value.trim() !== q) return;
    renderResults(q);
  } catch (e) {
    if (e.name === 'AbortError') return;
    searchResults = [];
    $('search-results').textContent = '';
    $('search-results').append(el('li', { class: 'empty', role: 'presentation', text: t('search_failed', { msg: e.message }) }));
    $('search-results').hidden = false;
  } finally {
    if ($('search').value.trim() === q) input.dataset.searching = '0';
  }
}

function rerunSearch() {
  if ($('search').value.trim() && !$('search-results').hidden) renderResults($('search').value.trim());
}

function choose(i) {
  const p = searchResults[i];
  if (!p) return;
  closeResults();
  $('search').value = placeName(p);
  state.selectedPlace = p;
  openCard(p.id, { pan: true, place: p });
}

function initSearch() {
  const input = $('search');
  input.addEventListener('input', () => {
    clearTimeout(searchTimer);
    input.dataset.searching = '1';
    searchTimer = setTimeout(runSearch, 200);
  });
  input.addEventListener('keydown', async (e) => {
    const open = !$('search-results').hidden;
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      if (open) setActive(activeResult + 1);
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      if (open) setActive(activeResult - 1);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      clearTimeout(searchTimer);
      if (input.dataset.searching === '1' || $('search-results').hidden) await runSearch();
      if (searchResults.length) choose(activeResult >= 0 ? activeResult : 0);
    } else if (e.key === 'Escape') {
      closeResults();
    }
  });
  input.addEventListener('blur', () => {
    // let a click on a result land first
    setTimeout(() => {
      if (document.activeElement !== input) closeResults();
    }, 200);
  });
}

/* ---------- the place card ---------- */

function sourceLines(a) {
  const ul = el('ul', { class: 'sources', 'data-testid': 'card-sources' });
  for (const s of a.sources || []) {
    if (!s.newest) {
      ul.append(el('li', { text: t('source_none', { name: s.name }) }));
      continue;
    }
    const days = daysBetween(String(s.newest).slice(0, 10), a.date);
    const li = el('li', { text: t('source_newest', { name: s.name, date: fmtDate(s.newest), days: fmtDays(days) }) });
    if (s.stale) li.append(' ', el('strong', { class: 'stale', text: t('source_stale') }));
    ul.append(li);
  }
  return ul;
}

function fact(label, value, attrs = {}) {
  return [el('dt', { text: label }), el('dd', attrs, value)];
}

async function openCard(id, { focus = true, pan = true, place = null } = {}) {
  const seq = ++state.cardSeq;
  state.selected = String(id);
  writeHash();
  highlightSelected();
  const card = $('card');
  const date = state.date;
  const pm = state.placeById.get(String(id)) || null;
  const p0 = pm || place || (state.selectedPlace && String(state.selectedPlace.id) === String(id) ? state.selectedPlace : null);
  if (pan && p0) map.setView([p0.lat, p0.lon], Math.max(map.getZoom(), 8));
  card.hidden = false;
  card.dataset.loading = '1';
  card.dataset.placeId = String(id);
  card.dataset.date = date;
  if (!card.querySelector('h2') || card.dataset.shownId !== String(id)) {
    card.textContent = '';
    card.append(el('h2', { id: 'card-name', 'data-testid': 'card-name', text: p0 ? placeName(p0) : t('card_title') }),
      el('p', { class: 'hint', text: t('card_loading') }));
  }
  if (focus) card.focus({ preventScroll: false });
  let a;
  try {
    a = await api.assess(id, date);
  } catch (e) {
    if (seq !== state.cardSeq) return;
    card.textContent = '';
    card.append(el('h2', { id: 'card-name', 'data-testid': 'card-name', text: p0 ? placeName(p0) : t('card_title') }),
      el('p', { class: 'error', role: 'alert', text: t('card_failed', { msg: e.message }) }));
    card.dataset.loading = '0';
    return;
  }
  if (seq !== state.cardSeq) return;
  renderCard(a, pm, date);
  if (pan && !p0 && a.place) map.setView([a.place.lat, a.place.lon], Math.max(map.getZoom(), 8));
  if (!p0) {
    state.selectedPlace = a.place;
    highlightSelected();
  }
}

function renderCard(a, pm, date) {
  const card = $('card');
  const place = a.place || {};
  // The static copy answers for its newest day only: for another day the
  // figures come from that day's map and the summary is labelled.
  const same = a.date === date;
  const status = same ? a.status : pm ? pm.status : a.status;
  const dist = same ? a.distance_km : pm ? pm.distance_km : a.distance_km;
  const change = same ? a.distance_change_7d_km : null;
  const p30 = same ? a.p_occupied_30d : pm ? pm.p_occupied_30d : null;
  const p90 = same ? a.p_occupied_90d : pm ? pm.p_occupied_90d : null;
  card.textContent = '';
  card.dataset.shownId = String(place.id);
  const close = el('button', {
    type: 'button', class: 'icon-btn card-close', 'aria-label': t('card_close'), title: t('card_close'),
    onclick: () => closeCard(),
  }, el('span', { 'aria-hidden': 'true', text: '✕' }));
  card.append(close);
  card.append(el('h2', { id: 'card-name', 'data-testid': 'card-name', text: placeName(place) }));
  const sub = [oblastName(place.oblast_iso, place.oblast)];
  if (place.population) sub.push(t('card_population', { n: fmtNumber(place.population) }));
  card.append(el('p', { class: 'card-sub', text: sub.filter(Boolean).join(' · ') }));
  // the answer in words first
  const summary = a.summary ? a.summary[lang()] || a.summary.en : null;
  if (summary) {
    const ps = el('p', { class: 'summary', 'data-testid': 'card-summary' });
    if (!same) ps.append(el('span', { class: 'summary-date', text: `${t('card_summary_of', { date: fmtDate(a.date) })} ` }));
    ps.append(summary);
    card.append(ps);
  }
  if (!same) card.append(el('p', { class: 'hint', text: t('card_figures_of', { date: fmtDate(date) }) }));
  const dl = el('dl', { class: 'facts' });
  dl.append(...fact(t('card_status'), statusText(status), { 'data-testid': 'card-status', 'data-value': status ?? '' }));
  dl.append(...fact(t('card_distance'), fmtKm(dist), { 'data-testid': 'card-distance', 'data-value': dist ?? '' }));
  if (same) dl.append(...fact(t('card_change_7d'), fmtChange(change), { 'data-testid': 'card-change', 'data-value': change ?? '' }));
  const probText = p30 == null && p90 == null ? t('card_no_prob') : t('card_prob_value', { p30: fmtPercent(p30), p90: fmtPercent(p90) });
  // The state border does not move with the date: the assessment's own
  // figure serves any day. Russia's only (the data has no outline of
  // Belarus), which the note says.
  const border = a.distance_to_border_km;
  dl.append(...fact(t('card_border'), border == null ? t('border_unknown') : fmtKm(border),
    { 'data-testid': 'card-border', 'data-value': border ?? '', 'data-country': a.border_country ?? '' }));
  dl.append(...fact(t('card_border_belarus'), t('border_belarus_not_measured'), { 'data-testid': 'card-border-belarus' }));
  dl.append(...fact(t('card_probabilities'), probText, { 'data-testid': 'card-probabilities', 'data-p30': p30 ?? '', 'data-p90': p90 ?? '' }));
  card.append(dl);
  if (a.sources && a.sources.length) {
    card.append(el('h3', { text: t('card_data_age') }), sourceLines(a));
  }
  card.append(el('p', { class: 'card-link' },
    el('a', { href: api.placeUrl(place.id, lang(), date), 'data-testid': 'card-link', text: t('card_link') })));
  card.dataset.loading = '0';
}

function closeCard() {
  state.selected = null;
  state.cardSeq++;
  $('card').hidden = true;
  $('card').dataset.shownId = '';
  writeHash();
  highlightSelected();
  $('search').focus();
}

/* ---------- start ---------- */

async function main() {
  applyLanguage();
  initMap();
  initSearch();
  const status = $('map-status');
  let meta;
  try {
    meta = await api.init();
  } catch (e) {
    status.dataset.loading = '0';
    status.textContent = t('map_failed', { msg: e.message });
    return;
  }
  state.meta = meta;
  const slider = $('date-slider');
  slider.max = String(Math.max(0, meta.dates.length - 1));
  slider.addEventListener('input', () => setIndex(Number(slider.value)));
  $('play').addEventListener('click', () => togglePlay());
  renderLegend();
  try {
    await loadOblasts();
  } catch (e) {
    status.dataset.error = e.message;
  }
  const h = readHash();
  let idx = meta.dates.length - 1;
  if (h.date) {
    const snapped = api.snapDate(h.date);
    const k = meta.dates.indexOf(snapped);
    if (k >= 0) idx = k;
  }
  setIndex(idx, { immediate: true });
  if (h.place) openCard(h.place, { focus: false, pan: true });
  window.addEventListener('hashchange', () => {
    const hh = readHash();
    if (hh.date && hh.date !== state.date) {
      const k = meta.dates.indexOf(api.snapDate(hh.date));
      if (k >= 0) setIndex(k, { immediate: true });
    }
    if (hh.place && hh.place !== state.selected) openCard(hh.place, { focus: false });
  });
}

main();
