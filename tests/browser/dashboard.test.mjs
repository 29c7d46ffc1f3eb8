// dashboard.test.mjs - the web dashboard in headless Chromium (Debian's
// /usr/bin/chromium driven by playwright-core from web/node_modules).
//
//   BASE_URL=http://127.0.0.1:PORT SCREENSHOT_DIR=DIR [FW_FULL=1] \
//       node tests/browser/dashboard.test.mjs
//
// BASE_URL is the site root of `frontwatch serve` (the JSON API under
// api/) or of a static export (data/meta.json with "static": true); the
// test finds out which, as the page does. FW_FULL=1: the store holds the
// full real data (the war from 2022), else the bundled sample (summer 2025).
// Checks:
//   1. the map draws the occupied area for 2025-08-01 (and 2022-08-01 with
//      the full data), set through the slider, and the drawing changes when
//      the slider moves to a week with another map (keyboard arrows too);
//   2. Kharkiv's card, found with the search box and Enter, shows the
//      status and distance of the API's own assessment for that day, and
//      the Russian border 34.8 km away (Belarus's not measured);
//   3. with locale uk-UA the page is in Ukrainian (html lang="uk") and says
//      "Харків"; the language switch changes it and is remembered;
//   4. at 360x740 neither the map page nor the place page scrolls sideways;
//   5. the place page has the answer in words in its HTML without
//      JavaScript, and with JavaScript draws its charts; its facts give
//      the border distance (34.8 km, "34,8 км" in Ukrainian), Belarus not
//      measured and the line on troops; with the full data, Vovchansk on
//      2024-05-01 its strikes and attack waves, as the API counts them,
//      and people leaving (Kharkiv oblast's IDPs on 2025-03-01, the
//      monitors' visit of Pokrovsk before 2024-10-01).
// Any console error or uncaught exception on a page fails the test. Every
// wait is bounded. Screenshots go to SCREENSHOT_DIR. Exit code 0 when all
// checks pass; the last line is "dashboard: N passed, N failed".

import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '../../web/package.json'));
const { chromium } = require('playwright-core');

const BASE = (process.env.BASE_URL || 'http://127.0.0.1:8080').replace(/\/?$/, '/');
const SHOTS = process.env.SCREENSHOT_DIR || path.join(process.cwd(), 'screenshots');
const FULL = process.env.FW_FULL === '1';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const STEP_MS = 20000; // one wait
const TOTAL_MS = 240000; // the whole test

mkdirSync(SHOTS, { recursive: true });

let passed = 0;
let failed = 0;
function ok(name) {
  passed++;
  console.log(`ok   ${name}`);
}
function notOk(name, why) {
  failed++;
  console.log(`FAIL ${name}: ${why}`);
}
async function check(name, fn) {
  try {
    await fn();
    ok(name);
  } catch (e) {
    notOk(name, e && e.message ? e.message.split('\n').slice(0, 6).join('\n     ') : String(e));
  }
}
function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

/* ---------- the backend, as the test sees it ---------- */

async function getJSON(rel) {
  const res = await fetch(new URL(rel, BASE), { signal: AbortSignal.timeout(STEP_MS) });
  if (!res.ok) throw new Error(`GET ${rel}: HTTP ${res.status}`);
  return res.json();
}

let isStatic = false;
async function meta() {
  try {
    const m = await getJSON('data/meta.json');
    if (m && m.static === true) {
      isStatic = true;
      return m;
    }
  } catch {
    /* not a static export */
  }
  return getJSON('api/meta');
}
function assessUrl(id, date) {
  return isStatic ? `data/assess/${id}.json` : `api/assess/${id}?date=${date}`;
}
function placeUrl(id, date, lang) {
  return isStatic ? `place/${id}/${lang}.html` : `place/${id}?date=${date}&lang=${lang}`;
}
function snap(dates, date) {
  let best = dates[0];
  for (const d of dates) if (d <= date) best = d;
  return best;
}

/* ---------- pages ---------- */

const CHROME_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'];

// A page whose console errors and uncaught exceptions are collected. The
// static backend's probe of data/meta.json is a 404 on the live server,
// which Chromium logs as a failed resource: that one is expected.
function watch(page, label) {
  const errors = [];
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const loc = msg.location() || {};
    if (/\/data\/meta\.json$/.test(loc.url || '') && /404/.test(msg.text())) return;
    errors.push(`${label}: console: ${msg.text()} ${loc.url ? `(${loc.url})` : ''}`);
  });
  page.on('pageerror', (e) => errors.push(`${label}: uncaught: ${e.message}`));
  page.setDefaultTimeout(STEP_MS);
  return errors;
}

async function newPage(browser, opts, label) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'en-US', ...opts });
  const page = await context.newPage();
  const errors = watch(page, label);
  return { context, page, errors };
}

async function waitMap(page, date) {
  await page.waitForFunction((d) => {
    const s = document.querySelector('[data-testid="map-status"]');
    return s && s.dataset.loading === '0' && (!d || s.dataset.date === d);
  }, date, { timeout: STEP_MS });
  return page.$eval('[data-testid="map-status"]', (s) => ({
    date: s.dataset.date, map: s.dataset.mapDate, features: Number(s.dataset.features),
    occupied: Number(s.dataset.occupied), vertices: Number(s.dataset.vertices), text: s.textContent,
    error: s.dataset.error || null,
  }));
}

async function setSlider(page, dates, date) {
  const i = dates.indexOf(date);
  assert(i >= 0, `${date} is not one of the slider's weeks`);
  await page.fill('[data-testid="date-slider"]', String(i));
  return waitMap(page, date);
}

async function openPlace(page, query) {
  await page.fill('[data-testid="search"]', query);
  await page.press('[data-testid="search"]', 'Enter');
  await page.waitForFunction(() => {
    const c = document.querySelector('[data-testid="card"]');
    return c && !c.hidden && c.dataset.loading === '0' && c.querySelector('[data-testid="card-distance"]');
  }, null, { timeout: STEP_MS });
  return page.$eval('[data-testid="card"]', (c) => ({
    id: c.dataset.placeId,
    date: c.dataset.date,
    name: c.querySelector('[data-testid="card-name"]').textContent,
    status: c.querySelector('[data-testid="card-status"]').dataset.value,
    statusText: c.querySelector('[data-testid="card-status"]').textContent,
    distance: c.querySelector('[data-testid="card-distance"]').dataset.value,
    distanceText: c.querySelector('[data-testid="card-distance"]').textContent,
    border: c.querySelector('[data-testid="card-border"]').dataset.value,
    borderCountry: c.querySelector('[data-testid="card-border"]').dataset.country,
    borderText: c.querySelector('[data-testid="card-border"]').textContent,
    belarusText: c.querySelector('[data-testid="card-border-belarus"]').textContent,
    summary: (c.querySelector('[data-testid="card-summary"]') || {}).textContent || '',
  }));
}

// The place page's fact of data-key key (api_page.c): its value's text.
async function factText(page, key) {
  const dd = await page.$(`[data-testid="facts"] [data-key="${key}"] dd`);
  assert(dd, `the place page has no fact ${key}`);
  return (await dd.textContent()).replace(/\s+/g, ' ').trim();
}

// Kharkiv's distance to the Russian border: OSM's outline of Russia is in
// the sample and in the full data alike (README of data/sample, `make
// demo`: "The Russian border is 34.8 km away").
const KHARKIV_BORDER_KM = 34.8;

async function shot(page, name) {
  await page.waitForTimeout(400); // let the map's pan and zoom animation end
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

async function noSideScroll(page) {
  return page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    body: document.body.scrollWidth,
    width: window.innerWidth,
  }));
}

/* ---------- the checks ---------- */

async function run() {
  const m = await meta();
  assert(Array.isArray(m.dates) && m.dates.length > 0, 'meta has no dates');
  console.log(`# ${BASE} (${isStatic ? 'static export' : 'live server'}), ${m.dates.length} weeks `
    + `${m.dates[0]} .. ${m.dates[m.dates.length - 1]}, basis ${m.basis}, full data: ${FULL}`);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROME_ARGS, timeout: STEP_MS });
  const allErrors = [];
  try {
    /* 1. the occupied area by date */
    const en = await newPage(browser, {}, 'map en');
    allErrors.push(en.errors);
    const { page } = en;
    await page.goto(BASE, { waitUntil: 'load' });
    const first = await waitMap(page, null);
    await check('map loads the newest week', async () => {
      assert(!first.error, `map error: ${first.error}`);
      assert(first.date === m.dates[m.dates.length - 1], `slider starts at ${first.date}, want the newest week`);
    });
    const d2025 = snap(m.dates, '2025-08-01');
    let s2025;
    await check(`map draws the occupied area for 2025-08-01 (week ${d2025})`, async () => {
      s2025 = await setSlider(page, m.dates, d2025);
      assert(s2025.features > 0, `${s2025.features} features on the map of ${d2025} (${s2025.text})`);
      assert(s2025.occupied > 0, 'no occupied feature');
      assert(s2025.map && s2025.map <= d2025, `map date ${s2025.map} after ${d2025}`);
      await shot(page, 'map-2025-08-01-desktop');
    });
    const other = FULL ? snap(m.dates, '2022-08-01') : m.dates[m.dates.length - 1] !== d2025
      ? m.dates[m.dates.length - 1] : m.dates[0];
    await check(`map changes when the slider moves to ${other}${FULL ? ' (2022-08-01)' : ''}`, async () => {
      const s = await setSlider(page, m.dates, other);
      assert(s.features > 0, `${s.features} features on the map of ${other}`);
      assert(s.map !== s2025.map, `same map date ${s.map} for ${other} and ${d2025}`);
      assert(s.features !== s2025.features || s.vertices !== s2025.vertices,
        `the drawing did not change: ${s.features} features, ${s.vertices} points on both dates`);
      await shot(page, `map-${other}-desktop`);
    });
    await check('the slider moves by keyboard (End, ArrowLeft)', async () => {
      await page.focus('[data-testid="date-slider"]');
      await page.keyboard.press('End');
      const last = m.dates[m.dates.length - 1];
      await waitMap(page, last);
      if (m.dates.length > 1) {
        await page.keyboard.press('ArrowLeft');
        await waitMap(page, m.dates[m.dates.length - 2]);
      }
      await setSlider(page, m.dates, d2025);
    });

    /* 2. Kharkiv's card against the API */
    await check('the Kharkiv card shows the API assessment', async () => {
      const card = await openPlace(page, 'Kharkiv');
      assert(card.name === 'Kharkiv', `card name "${card.name}"`);
      assert(card.date === d2025, `card date ${card.date}, want ${d2025}`);
      const a = await getJSON(assessUrl(card.id, card.date));
      if (isStatic && a.date !== card.date) {
        console.log(`#    static export: assessment of ${a.date} only, card shows the map figures of ${card.date}`);
      } else {
        assert(card.status === String(a.status ?? ''), `card status ${card.status}, API ${a.status}`);
        const want = a.distance_km === null ? '' : String(a.distance_km);
        assert(card.distance === want, `card distance ${card.distance}, API ${a.distance_km}`);
        assert(card.summary.includes(a.summary.en), `card summary "${card.summary}" is not the API's "${a.summary.en}"`);
      }
      assert(/\d.*km|unknown/.test(card.distanceText), `distance text "${card.distanceText}"`);
      const a2 = await getJSON(assessUrl(card.id, card.date));
      assert(card.border === String(a2.distance_to_border_km), `card border ${card.border}, API ${a2.distance_to_border_km}`);
      assert(Number(card.border) === KHARKIV_BORDER_KM, `card border ${card.border} km, want ${KHARKIV_BORDER_KM}`);
      assert(card.borderCountry === 'RU', `border country "${card.borderCountry}"`);
      assert(card.borderText === '34.8 km', `border text "${card.borderText}"`);
      assert(/not measured: the data has no outline of Belarus/.test(card.belarusText), `Belarus "${card.belarusText}"`);
      console.log(`#    Kharkiv (${card.id}) on ${card.date}: ${card.statusText}, ${card.distanceText}`);
      await shot(page, 'card-kharkiv-desktop');
    });
    const kharkiv = await page.$eval('[data-testid="card"]', (c) => c.dataset.placeId).catch(() => null);
    await en.context.close();

    /* 3. Ukrainian */
    const uk = await newPage(browser, { locale: 'uk-UA' }, 'map uk');
    allErrors.push(uk.errors);
    await check('uk-UA: html lang="uk", "Харків" in the search and the card', async () => {
      const p = uk.page;
      await p.goto(BASE, { waitUntil: 'load' });
      await waitMap(p, null);
      const htmlLang = await p.getAttribute('html', 'lang');
      assert(htmlLang === 'uk', `html lang="${htmlLang}"`);
      await p.fill('[data-testid="search"]', 'Харків');
      await p.waitForSelector('[data-testid="search-results"] [role="option"]', { timeout: STEP_MS });
      const firstHit = await p.textContent('[data-testid="search-results"] [role="option"] .pname');
      assert(firstHit === 'Харків', `first search result "${firstHit}"`);
      const card = await openPlace(p, 'Kharkiv');
      assert(card.name === 'Харків', `card name "${card.name}"`);
      assert(/км/.test(card.distanceText) || card.distance === '', `distance "${card.distanceText}" not in Ukrainian`);
      assert(card.borderText === '34,8 км', `border "${card.borderText}" not "34,8 км"`);
      assert(/не виміряно/.test(card.belarusText), `Belarus "${card.belarusText}" not in Ukrainian`);
      await shot(p, 'card-kharkiv-uk-desktop');
      // the switch: English now, remembered on reload
      await p.click('.lang-btn[data-lang="en"]');
      assert(await p.getAttribute('html', 'lang') === 'en', 'the switch did not set lang="en"');
      await p.waitForFunction(() => document.querySelector('[data-testid="card-name"]').textContent === 'Kharkiv');
      await p.reload({ waitUntil: 'load' });
      await waitMap(p, null);
      assert(await p.getAttribute('html', 'lang') === 'en', 'the English choice was not remembered');
    });
    await uk.context.close();

    /* 4. a 360 px phone */
    const phone = await newPage(browser, { viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true }, 'phone');
    allErrors.push(phone.errors);
    await check('360x740: the map page does not scroll sideways', async () => {
      const p = phone.page;
      await p.goto(BASE, { waitUntil: 'load' });
      await waitMap(p, null);
      await shot(p, 'map-360');
      await openPlace(p, 'Kharkiv');
      const w = await noSideScroll(p);
      assert(w.scroll <= 360, `scrollWidth ${w.scroll} > 360 (body ${w.body})`);
      await shot(p, 'card-kharkiv-360');
    });
    const pid = kharkiv || (await phone.page.$eval('[data-testid="card"]', (c) => c.dataset.placeId).catch(() => null));
    const pdate = isStatic ? null : d2025;
    const placePath = placeUrl(pid, pdate, 'en');
    await check(`360x740: the place page (${placePath}) does not scroll sideways, draws its charts`, async () => {
      assert(pid, 'no place id from the card');
      const p = phone.page;
      await p.goto(new URL(placePath, BASE).href, { waitUntil: 'load' });
      await p.waitForFunction(() => document.body.dataset.ready === '1', null, { timeout: STEP_MS });
      const n = await p.$$eval('[data-testid^="chart-"] canvas', (cs) => cs.length);
      assert(n >= 1, 'no chart drawn');
      const w = await noSideScroll(p);
      assert(w.scroll <= 360, `scrollWidth ${w.scroll} > 360 (body ${w.body})`);
      await shot(p, 'place-360');
    });
    await phone.context.close();

    const desk = await newPage(browser, {}, 'place desktop');
    allErrors.push(desk.errors);
    await check('the place page at desktop width', async () => {
      const p = desk.page;
      await p.goto(new URL(placeUrl(pid, pdate, 'uk'), BASE).href, { waitUntil: 'load' });
      await p.waitForFunction(() => document.body.dataset.ready === '1', null, { timeout: STEP_MS });
      assert(await p.getAttribute('html', 'lang') === 'uk', 'place page ?lang=uk is not lang="uk"');
      const h = await p.textContent('#place-heading');
      assert(/Харків/.test(h), `heading "${h}"`);
      const b = await factText(p, 'distance_to_border_km');
      assert(b === '34,8 км', `border fact "${b}", want "34,8 км"`);
      const by = await factText(p, 'border_belarus');
      assert(by === 'не виміряно: у даних немає контуру Білорусі', `Belarus fact "${by}"`);
      const nm = await factText(p, 'not_measured');
      assert(/^чисельність військ і їх зосередження .*не видно в жодних відкритих даних/.test(nm), `not measured "${nm}"`);
      await shot(p, 'place-uk-desktop');
    });
    await desk.context.close();

    /* 5. no JavaScript */
    const nojs = await newPage(browser, { javaScriptEnabled: false }, 'place no-js');
    allErrors.push(nojs.errors);
    await check('the place page answers in words without JavaScript', async () => {
      const p = nojs.page;
      await p.goto(new URL(placeUrl(pid, pdate, 'en'), BASE).href, { waitUntil: 'load' });
      const summary = (await p.textContent('[data-testid="summary"]')).replace(/\s+/g, ' ').trim();
      const a = await getJSON(assessUrl(pid, pdate));
      assert(summary.length > 20, `summary "${summary}"`);
      assert(summary === a.summary.en.replace(/\s+/g, ' ').trim(), `summary "${summary}" is not the API's "${a.summary.en}"`);
      const facts = await p.$$eval('[data-testid="facts"] dt', (d) => d.length);
      assert(facts >= 2, `${facts} facts`);
      assert(await p.getAttribute('html', 'lang') === 'en', 'lang is not en');
      const b = await factText(p, 'distance_to_border_km');
      assert(b === `${a.distance_to_border_km.toFixed(1)} km` && a.distance_to_border_km === KHARKIV_BORDER_KM,
        `border fact "${b}", API ${a.distance_to_border_km}, want ${KHARKIV_BORDER_KM} km`);
      const by = await factText(p, 'border_belarus');
      assert(by === 'not measured: the data has no outline of Belarus', `Belarus fact "${by}"`);
      const nm = await factText(p, 'not_measured');
      assert(/^troop numbers and massing .*no public data shows them/.test(nm), `not measured "${nm}"`);
      await shot(p, 'place-nojs-desktop');
    });
    if (FULL && !isStatic) {
      // strikes near Vovchansk a fortnight before the offensive of May 2024:
      // each count as the API gives it, and a null one "unknown", never 0
      await check('Vovchansk 2024-05-01: the place page shows the border, strikes and attack waves of the API', async () => {
        const p = nojs.page;
        const a = await getJSON('api/assess/Vovchansk?date=2024-05-01');
        await p.goto(new URL(placeUrl(a.place.id, '2024-05-01', 'en'), BASE).href, { waitUntil: 'load' });
        const b = await factText(p, 'distance_to_border_km');
        assert(b === `${a.distance_to_border_km.toFixed(1)} km`, `border "${b}", API ${a.distance_to_border_km}`);
        for (const k of ['strikes_25km_7d', 'strikes_25km_30d', 'strike_waves_oblast_30d']) {
          const v = await factText(p, k);
          const want = a[k] === null ? /^unknown \(/ : new RegExp(`^${a[k]}$`);
          assert(want.test(v), `${k}: page "${v}", API ${a[k]}`);
        }
        assert(a.strikes_25km_7d !== null && a.strike_waves_oblast_30d !== null,
          `the full data counts no strike near Vovchansk on 2024-05-01 (${a.strikes_25km_7d}, ${a.strike_waves_oblast_30d})`);
        const r = await factText(p, 'strikes_25km_ratio');
        assert(a.strikes_25km_ratio === null ? /^unknown|^no strike/.test(r) : r.startsWith(`${a.strikes_25km_ratio.toFixed(1)}×`),
          `ratio "${r}", API ${a.strikes_25km_ratio}`);
        const stale = (await p.$$eval('[data-testid="facts"] [data-key^="strikes_"] dd', (ds) => ds.map((d) => d.textContent)))
          .filter((x) => /^cir: .*stale$/.test(x));
        assert(stale.length === 1, 'the CIR data (ends 2022-11) is not marked stale');
        console.log(`#    Vovchansk (${a.place.id}) 2024-05-01: border ${b}, strikes 7 d ${a.strikes_25km_7d}, 30 d ${a.strikes_25km_30d}, waves ${a.strike_waves_oblast_30d}`);
        await shot(p, 'place-vovchansk-2024-05-01');
      });
      // people leaving: IOM's oblast estimate and the monitors' visit, as
      // the API gives them
      await check('Kharkiv 2025-03-01 and Pokrovsk 2024-10-01: the place page shows people leaving as the API gives it', async () => {
        const p = nojs.page;
        const k = await getJSON('api/assess/Kharkiv?date=2025-03-01');
        const o = k.displacement.oblast;
        assert(o !== null && o.idps_present !== null, 'no IOM estimate for Kharkiv oblast on 2025-03-01');
        await p.goto(new URL(placeUrl(k.place.id, '2025-03-01', 'en'), BASE).href, { waitUntil: 'load' });
        const n = (v) => v.toLocaleString('en-US');
        const want = `${n(o.idps_present)} (round ${o.round}, ${o.date}; +${n(o.idps_change_prev_round)} since round ${o.prev_round})`;
        const got = await factText(p, 'displacement_oblast');
        assert(got === want, `page "${got}", API "${want}"`);
        const q = await getJSON('api/assess/Pokrovsk?date=2024-10-01');
        const v = q.displacement.settlement;
        assert(v !== null && v.match === 'Pokrovsk', 'Pokrovsk is not matched to its monitoring visit');
        await p.goto(new URL(placeUrl(q.place.id, '2024-10-01', 'en'), BASE).href, { waitUntil: 'load' });
        const s = await factText(p, 'displacement_settlement');
        assert(s.startsWith(`visit of ${v.date} — civilians present: yes (more than 2,000)`) && s.endsWith('front line as the monitors saw it: 5 to 10 km'),
          `page "${s}", API ${JSON.stringify(v)}`);
        console.log(`#    Kharkiv oblast IDPs ${got}; Pokrovsk: ${s}`);
      });
    }
    await nojs.context.close();
  } finally {
    await browser.close();
  }
  const errs = allErrors.flat();
  if (errs.length) notOk('no console errors', `\n     ${errs.join('\n     ')}`);
  else ok('no console errors');
}

const guard = setTimeout(() => {
  console.log(`FAIL the test took more than ${TOTAL_MS / 1000} s`);
  console.log(`dashboard: ${passed} passed, ${failed + 1} failed`);
  process.exit(1);
}, TOTAL_MS);

try {
  await run();
} catch (e) {
  notOk('setup', e && e.stack ? e.stack : String(e));
}
clearTimeout(guard);
console.log(`# screenshots in ${SHOTS}`);
console.log(`dashboard: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
