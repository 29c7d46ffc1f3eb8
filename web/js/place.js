// place.js - the place page. The server (or the static export) has put the
// answer in words and the key figures in the HTML, and the assess JSON in
// <script id="fw-data">; this adds the heading, the language switch, a
// date picker, charts of the place's history (uPlot) and each source's
// data age. Without JavaScript the page still reads.

import * as api from './api.js';
import {
  t, setLang, buildLangSwitch, fmtDate, fmtMonth, fmtNumber, fmtKm, placeName, daysBetween, fmtDays,
} from './i18n.js';

const $ = (id) => document.getElementById(id);
const uPlot = window.uPlot;

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

function readData() {
  try {
    return JSON.parse($('fw-data').textContent);
  } catch {
    return null;
  }
}

const pageLang = document.documentElement.lang === 'uk' ? 'uk' : 'en';
setLang(pageLang, false); // the page's language is the server's choice (?lang=)
const data = readData();
const placeId = document.body.dataset.placeId || (data && data.place && String(data.place.id));
const date = document.body.dataset.date || (data && data.date);

function renderHeading() {
  if (!data || !data.place) return;
  const h = $('place-heading');
  h.textContent = t('place_heading', { name: placeName(data.place), date: fmtDate(data.date || date, 'long') });
  h.hidden = false;
  document.title = `${placeName(data.place)}, ${fmtDate(data.date || date)} · frontwatch`;
}

function renderHeader() {
  const brand = $('brand');
  brand.href = api.mapUrl(placeId, date);
  brand.title = t('back_to_map');
  brand.setAttribute('aria-label', `frontwatch: ${t('back_to_map')}`);
  buildLangSwitch($('lang-switch'), (l) => {
    setLang(l); // remembered for the map page too
    location.href = api.placeUrl(placeId, l, date);
  });
}

function renderTools(meta) {
  const box = $('tools');
  box.textContent = '';
  if (api.staticBackend()) {
    box.append(el('p', { class: 'hint', text: t('place_static_date', { date: fmtDate(meta.newest || date) }) }));
    box.hidden = false;
    return;
  }
  const input = el('input', {
    type: 'date', id: 'place-date', name: 'date', value: date, required: true,
    min: meta.first || null, max: meta.newest || null, 'data-testid': 'place-date',
  });
  const form = el('form', { class: 'place-tools', onsubmit: (e) => {
    e.preventDefault();
    if (input.value && input.value !== date) location.href = api.placeUrl(placeId, pageLang, input.value);
  } },
  el('div', {}, el('label', { for: 'place-date', text: t('place_date_label') }), input),
  el('button', { type: 'submit', class: 'btn', text: t('place_date_go') }));
  box.append(form);
  box.hidden = false;
}

function renderSources() {
  const box = $('sources');
  if (!data || !Array.isArray(data.sources) || !data.sources.length) return;
  const ul = el('ul', { class: 'sources', 'data-testid': 'sources' });
  for (const s of data.sources) {
    if (!s.newest) {
      ul.append(el('li', { text: t('source_none', { name: s.name }) }));
      continue;
    }
    const days = daysBetween(String(s.newest).slice(0, 10), data.date || date);
    const li = el('li', {
      'data-source': s.name, 'data-stale': String(!!s.stale),
      text: t('source_newest', { name: s.name, date: fmtDate(s.newest), days: fmtDays(days) }),
    });
    if (s.stale) li.append(' ', el('strong', { class: 'stale', text: t('source_stale') }));
    ul.append(li);
  }
  box.append(el('h2', { text: t('sources_title') }), ul);
  box.hidden = false;
}

/* ---------- charts ---------- */

const charts = [];

function dayToTs(d) {
  return Date.parse(`${d}T00:00:00Z`) / 1000;
}

function tsToDay(ts) {
  return new Date(ts * 1000).toISOString().slice(0, 10);
}

function firstLast(xs, ys) {
  let a = -1;
  let b = -1;
  for (let i = 0; i < ys.length; i++) {
    if (ys[i] !== null && ys[i] !== undefined) {
      if (a < 0) a = i;
      b = i;
    }
  }
  return a < 0 ? null : { a, b };
}

function chart(parent, { key, title, series, fmt, range }) {
  const fig = el('figure', { class: 'chart', 'data-testid': `chart-${key}` });
  fig.append(el('figcaption', { text: title }));
  const box = el('div', { class: 'chart-box' });
  fig.append(box);
  parent.append(fig);
  const xs = series.x;
  const ys = series.ys;
  const any = ys.some((s) => firstLast(xs, s.values));
  if (!any) {
    fig.append(el('p', { class: 'chart-note', text: t('chart_empty') }));
    fig.dataset.points = '0';
    return;
  }
  // the figures in words, for those who do not see the chart
  const fl = firstLast(xs, ys[0].values) || firstLast(xs, ys[ys.length - 1].values);
  const main = firstLast(xs, ys[0].values) ? ys[0].values : ys[ys.length - 1].values;
  fig.append(el('p', { class: 'chart-note', text: t('chart_range', {
    a: fmt(main[fl.a]), d1: fmtDate(tsToDay(xs[fl.a])), b: fmt(main[fl.b]), d2: fmtDate(tsToDay(xs[fl.b])),
  }) }));
  fig.dataset.points = String(xs.length);
  if (!uPlot) return;
  const width = Math.max(200, box.clientWidth || 300);
  const opts = {
    width,
    height: width < 500 ? 180 : 240,
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true }, y: range ? { range } : {} },
    axes: [
      { values: (u, splits) => splits.map((s) => fmtMonth(new Date(s * 1000))), space: width < 500 ? 60 : 90, size: 40 },
      { values: (u, splits) => splits.map((s) => fmtNumber(s)), size: 48 },
    ],
    series: [
      { label: t('chart_date'), value: (u, v) => (v == null ? '–' : fmtDate(tsToDay(v))) },
      ...ys.map((s) => ({
        label: s.label,
        stroke: s.color,
        width: 2,
        fill: s.fill || undefined,
        spanGaps: false,
        value: (u, v) => (v == null ? '–' : fmt(v)),
      })),
    ],
  };
  const u = new uPlot(opts, [xs, ...ys.map((s) => s.values)], box);
  charts.push({ u, box });
}

async function renderCharts(meta) {
  const box = $('charts');
  box.hidden = false;
  box.append(el('h2', { text: t('charts_title') }));
  const note = el('p', { class: 'hint', role: 'status', text: t('chart_loading') });
  box.append(note);
  let h;
  try {
    h = await api.history(placeId, meta.first || null, data && data.date ? data.date : date);
  } catch (e) {
    note.textContent = t('chart_failed', { msg: e.message });
    return;
  }
  note.remove();
  const days = (h.days || []).filter((d) => d && d.date);
  const xs = days.map((d) => dayToTs(d.date));
  const col = (k, scale = 1) => days.map((d) => (d[k] === null || d[k] === undefined ? null : d[k] * scale));
  chart(box, {
    key: 'distance', title: t('chart_distance'), fmt: (v) => fmtKm(v),
    series: { x: xs, ys: [{ label: t('chart_km'), values: col('distance_km'), color: '#a31515' }] },
    range: (u, min, max) => [0, Math.max(10, max * 1.05)],
  });
  chart(box, {
    key: 'alerts', title: t('chart_alerts'), fmt: (v) => fmtNumber(v, 0),
    series: { x: xs, ys: [{ label: t('chart_hours'), values: col('alert_hours_7d'), color: '#0b57d0', fill: 'rgba(11,87,208,0.12)' }] },
    range: (u, min, max) => [0, Math.max(1, max * 1.05)],
  });
  const p30 = col('p_occupied_30d', 100);
  const p90 = col('p_occupied_90d', 100);
  if (p30.some((v) => v !== null) || p90.some((v) => v !== null)) {
    chart(box, {
      key: 'probability', title: t('chart_prob'), fmt: (v) => `${fmtNumber(v, v < 1 ? 1 : 0)} %`,
      series: { x: xs, ys: [
        { label: t('chart_p30'), values: p30, color: '#b35c00' },
        { label: t('chart_p90'), values: p90, color: '#7a0177' },
      ] },
      range: (u, min, max) => [0, Math.min(100, Math.max(5, max * 1.1))],
    });
  }
  box.dataset.ready = '1';
}

let resizeTimer = null;
window.addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => {
    for (const c of charts) {
      const w = Math.max(200, c.box.clientWidth);
      c.u.setSize({ width: w, height: w < 500 ? 180 : 240 });
    }
  }, 150);
});

async function main() {
  renderHeading();
  renderSources();
  let meta;
  try {
    meta = await api.init();
  } catch {
    meta = { first: null, newest: null, dates: [] };
  }
  renderHeader();
  renderTools(meta);
  if (placeId) await renderCharts(meta);
  document.body.dataset.ready = '1';
}

main();
