// i18n.js - every user-visible string of the dashboard, one table per
// language (uk, en), the choice of language and the Intl formatters.
// Language: a choice remembered in localStorage, else the first of
// navigator.languages that is Ukrainian or Russian (-> uk) or English
// (-> en), else en. Numbers and dates are formatted with Intl for the
// chosen language; dates are calendar days (YYYY-MM-DD), formatted in UTC.

export const LANGS = ['uk', 'en'];
const STORE_KEY = 'frontwatch.lang';

const MESSAGES = {
  en: {
    app_title: 'frontwatch: is this place in danger of occupation?',
    app_name: 'frontwatch',
    tagline: 'Is this Ukrainian place in danger of occupation? Answers from public maps and alerts.',
    lang_switch: 'Language',
    lang_uk: 'Українська',
    lang_en: 'English',
    search_label: 'Find a place',
    search_placeholder: 'Kharkiv, Харків, Zaporizhzhia…',
    search_hint: 'Type a name, then Enter or the arrow keys.',
    search_none: 'No place found for “{q}”.',
    search_results: '{n} places found',
    search_failed: 'The search failed: {msg}',
    date_label: 'Date of the map',
    date_help: 'Arrow keys move one week; Home and End go to the first and last week.',
    play: 'Play the war week by week',
    pause: 'Pause',
    prev_week: 'One week earlier',
    next_week: 'One week later',
    map_label: 'Map of Ukraine with the occupied area and places',
    zoom_in: 'Zoom in',
    zoom_out: 'Zoom out',
    map_loading: 'Loading the map of {date}…',
    map_status: 'Map of {map} ({source}) for {date}',
    map_status_none: 'On {date} there is no front-line map.',
    map_failed: 'The map could not be loaded: {msg}',
    legend_title: 'Legend',
    legend_occupied: 'Occupied',
    legend_occupied_before_2022: 'Occupied before 2022',
    legend_contested: 'Contested',
    legend_places_model: 'Places: chance of occupation within 90 days',
    legend_places_distance: 'Places: distance to the occupied area',
    legend_place_occupied: 'occupied place',
    legend_place_unknown: 'no figure',
    legend_no_model: 'No forecast model: places are coloured by distance to the occupied area.',
    band_lt: 'under {b}',
    band_range: '{a}–{b}',
    band_ge: '{a} and more',
    risk_title: 'Closest to the front',
    risk_hint_model: 'On {date}: the free places with the highest chance of occupation within 90 days.',
    risk_hint_distance: 'On {date}: the free places nearest the occupied area.',
    risk_empty: 'No free place with figures on this date.',
    card_title: 'Place',
    card_close: 'Close',
    card_loading: 'Loading…',
    card_failed: 'The assessment could not be loaded: {msg}',
    card_oblast: '{oblast} oblast',
    card_population: 'Population {n}',
    card_status: 'Status',
    card_distance: 'Nearest occupied area',
    card_change_7d: 'Change in 7 days',
    card_border: 'Border with Russia',
    card_border_belarus: 'Border with Belarus',
    border_unknown: 'unknown (no state border in the data)',
    border_belarus_not_measured: 'not measured: the data has no outline of Belarus',
    card_probabilities: 'Chance of occupation',
    card_prob_value: '{p30} within 30 days, {p90} within 90 days',
    card_no_prob: 'not computed',
    card_data_age: 'Data age',
    card_summary_of: 'Latest assessment ({date}):',
    card_figures_of: 'Figures of the map for {date}',
    card_link: 'Open the place page with charts',
    status_free: 'not occupied',
    status_occupied: 'occupied',
    status_occupied_before_2022: 'occupied before 2022',
    status_contested: 'contested',
    status_null: 'unknown (no map)',
    km: '{n} km',
    change_closer: '{n} km closer',
    change_further: '{n} km further away',
    change_none: 'no change',
    unknown: 'unknown',
    source_newest: '{name}: newest {date} ({days})',
    source_none: '{name}: no data',
    source_stale: 'stale',
    // place page
    back_to_map: 'Back to the map',
    place_heading: '{name}, {date}',
    place_date_label: 'Assess another day',
    place_date_go: 'Show',
    place_static_date: 'This copy of the site shows the newest day only ({date}).',
    charts_title: 'Over time',
    chart_distance: 'Distance to the occupied area (km)',
    chart_alerts: 'Air-raid alert hours in the oblast over 7 days',
    chart_prob: 'Chance of occupation (%)',
    chart_p30: 'within 30 days',
    chart_p90: 'within 90 days',
    chart_empty: 'No figures in this period.',
    chart_range: '{d1}: {a}; {d2}: {b}',
    chart_date: 'Date',
    chart_km: 'km',
    chart_hours: 'Hours',
    chart_loading: 'Loading the history…',
    chart_failed: 'The history could not be loaded: {msg}',
    sources_title: 'Data age',
    noscript: '',
  },
  uk: {
    app_title: 'frontwatch: чи загрожує цьому місту окупація?',
    app_name: 'frontwatch',
    tagline: 'Чи загрожує окупація цьому населеному пункту України? Відповіді з відкритих мап і даних про тривоги.',
    lang_switch: 'Мова',
    lang_uk: 'Українська',
    lang_en: 'English',
    search_label: 'Знайти населений пункт',
    search_placeholder: 'Харків, Kharkiv, Запоріжжя…',
    search_hint: 'Введіть назву, потім Enter або стрілки.',
    search_none: 'Нічого не знайдено для «{q}».',
    search_results: 'Знайдено: {n}',
    search_failed: 'Пошук не вдався: {msg}',
    date_label: 'Дата мапи',
    date_help: 'Стрілки — на тиждень; Home і End — перший і останній тиждень.',
    play: 'Відтворити війну тиждень за тижнем',
    pause: 'Пауза',
    prev_week: 'На тиждень раніше',
    next_week: 'На тиждень пізніше',
    map_label: 'Мапа України з окупованою територією та населеними пунктами',
    zoom_in: 'Збільшити',
    zoom_out: 'Зменшити',
    map_loading: 'Завантаження мапи на {date}…',
    map_status: 'Мапа від {map} ({source}) на {date}',
    map_status_none: 'На {date} мапи лінії фронту немає.',
    map_failed: 'Не вдалося завантажити мапу: {msg}',
    legend_title: 'Легенда',
    legend_occupied: 'Окуповано',
    legend_occupied_before_2022: 'Окуповано до 2022 року',
    legend_contested: 'Сіра зона',
    legend_places_model: 'Населені пункти: імовірність окупації протягом 90 днів',
    legend_places_distance: 'Населені пункти: відстань до окупованої території',
    legend_place_occupied: 'окупований пункт',
    legend_place_unknown: 'немає даних',
    legend_no_model: 'Моделі прогнозу немає: пункти позначено кольором за відстанню до окупованої території.',
    band_lt: 'менше {b}',
    band_range: '{a}–{b}',
    band_ge: '{a} і більше',
    risk_title: 'Найближче до фронту',
    risk_hint_model: 'На {date}: неокуповані пункти з найвищою ймовірністю окупації протягом 90 днів.',
    risk_hint_distance: 'На {date}: неокуповані пункти, найближчі до окупованої території.',
    risk_empty: 'На цю дату немає неокупованих пунктів із даними.',
    card_title: 'Населений пункт',
    card_close: 'Закрити',
    card_loading: 'Завантаження…',
    card_failed: 'Не вдалося завантажити оцінку: {msg}',
    card_oblast: '{oblast} область',
    card_population: 'Населення {n}',
    card_status: 'Стан',
    card_distance: 'Найближча окупована територія',
    card_change_7d: 'Зміна за 7 днів',
    card_border: 'Кордон з Росією',
    card_border_belarus: 'Кордон з Білоруссю',
    border_unknown: 'невідомо (у даних немає державного кордону)',
    border_belarus_not_measured: 'не виміряно: у даних немає контуру Білорусі',
    card_probabilities: 'Імовірність окупації',
    card_prob_value: '{p30} протягом 30 днів, {p90} протягом 90 днів',
    card_no_prob: 'не обчислено',
    card_data_age: 'Вік даних',
    card_summary_of: 'Остання оцінка ({date}):',
    card_figures_of: 'Дані мапи на {date}',
    card_link: 'Сторінка населеного пункту з графіками',
    status_free: 'не окупований',
    status_occupied: 'окупований',
    status_occupied_before_2022: 'окупований до 2022 року',
    status_contested: 'сіра зона',
    status_null: 'невідомо (немає мапи)',
    km: '{n} км',
    change_closer: 'на {n} км ближче',
    change_further: 'на {n} км далі',
    change_none: 'без змін',
    unknown: 'невідомо',
    source_newest: '{name}: найновіші дані {date} ({days})',
    source_none: '{name}: немає даних',
    source_stale: 'застарілі',
    back_to_map: 'Назад до мапи',
    place_heading: '{name}, {date}',
    place_date_label: 'Оцінка на інший день',
    place_date_go: 'Показати',
    place_static_date: 'Ця копія сайту показує лише найновіший день ({date}).',
    charts_title: 'У часі',
    chart_distance: 'Відстань до окупованої території (км)',
    chart_alerts: 'Години повітряної тривоги в області за 7 днів',
    chart_prob: 'Імовірність окупації (%)',
    chart_p30: 'протягом 30 днів',
    chart_p90: 'протягом 90 днів',
    chart_empty: 'За цей період даних немає.',
    chart_range: '{d1}: {a}; {d2}: {b}',
    chart_date: 'Дата',
    chart_km: 'км',
    chart_hours: 'Години',
    chart_loading: 'Завантаження історії…',
    chart_failed: 'Не вдалося завантажити історію: {msg}',
    sources_title: 'Вік даних',
    noscript: '',
  },
};

function storedLang() {
  try {
    const v = localStorage.getItem(STORE_KEY);
    return LANGS.includes(v) ? v : null;
  } catch {
    return null; // storage blocked: choose from the browser every time
  }
}

/* The language from the browser's list: uk and ru -> uk, en -> en. */
export function browserLang(languages = navigator.languages || [navigator.language]) {
  for (const tag of languages || []) {
    const primary = String(tag).toLowerCase().split('-')[0];
    if (primary === 'uk' || primary === 'ru') return 'uk';
    if (primary === 'en') return 'en';
  }
  return 'en';
}

let current = storedLang() || browserLang();

export function lang() {
  return current;
}

/* Sets the language, remembers it, reflects it in <html lang>. */
export function setLang(l, remember = true) {
  if (!LANGS.includes(l)) return;
  current = l;
  if (remember) {
    try {
      localStorage.setItem(STORE_KEY, l);
    } catch {
      /* not remembered; still used on this page */
    }
  }
  document.documentElement.lang = l;
}

/* t('km', {n: '3'}): the message in the current language, {name}s filled. */
export function t(key, vars = {}) {
  let s = MESSAGES[current][key];
  if (s === undefined) s = MESSAGES.en[key];
  if (s === undefined) return key;
  return s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
}

/* Fills every [data-i18n] element's text and every [data-i18n-attr]
   ("attr:key;attr:key") attribute under root. */
export function translate(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of el.dataset.i18nAttr.split(';')) {
      const [attr, key] = pair.split(':');
      if (attr && key) el.setAttribute(attr.trim(), t(key.trim()));
    }
  }
}

const numCache = new Map();
function numFmt(digits) {
  const k = current + digits;
  if (!numCache.has(k)) {
    numCache.set(k, new Intl.NumberFormat(current, {
      minimumFractionDigits: digits, maximumFractionDigits: digits,
    }));
  }
  return numCache.get(k);
}

export function fmtNumber(v, digits = 0) {
  return v === null || v === undefined || Number.isNaN(v) ? t('unknown') : numFmt(digits).format(v);
}

export function fmtKm(v) {
  if (v === null || v === undefined) return t('unknown');
  return t('km', { n: fmtNumber(v, 1) }); // one decimal, as the CLI and the summaries
}

export function fmtChange(v) {
  if (v === null || v === undefined) return t('unknown');
  const n = fmtNumber(Math.abs(v), 1);
  if (Math.abs(v) < 0.05) return t('change_none');
  return v < 0 ? t('change_closer', { n }) : t('change_further', { n });
}

/* A probability 0..1 as a percentage; below 1 % with one decimal. */
export function fmtPercent(p) {
  if (p === null || p === undefined) return t('unknown');
  const digits = p < 0.01 && p > 0 ? 1 : 0;
  return new Intl.NumberFormat(current, {
    style: 'percent', minimumFractionDigits: digits, maximumFractionDigits: digits,
  }).format(p);
}

/* 'YYYY-MM-DD' -> a day in the page's language (UTC, no time zone shift). */
export function fmtDate(iso, style = 'medium') {
  if (!iso) return t('unknown');
  const d = new Date(`${String(iso).slice(0, 10)}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) return String(iso);
  return new Intl.DateTimeFormat(current, { dateStyle: style, timeZone: 'UTC' }).format(d);
}

/* A count of days with its unit: "1 day", "3 days", "3 дні". */
export function fmtDays(n) {
  if (n === null || n === undefined || Number.isNaN(n)) return t('unknown');
  return new Intl.NumberFormat(current, { style: 'unit', unit: 'day', unitDisplay: 'long' }).format(n);
}

export function fmtMonth(d) {
  return new Intl.DateTimeFormat(current, { month: 'short', year: 'numeric', timeZone: 'UTC' }).format(d);
}

export function statusText(s) {
  return t(`status_${s ?? 'null'}`);
}

/* A place's name in the page's language: the Ukrainian name for uk
   when known, else the Latin one. */
export function placeName(p) {
  if (!p) return '';
  return current === 'uk' && p.name_local ? p.name_local : p.name;
}

/* Days between two 'YYYY-MM-DD' days (b - a). */
export function daysBetween(a, b) {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86400000);
}

/* The language switch: one button per language, aria-pressed on the
   current one; onPick(l) decides what a change does. */
export function buildLangSwitch(container, onPick) {
  container.textContent = '';
  container.setAttribute('role', 'group');
  container.setAttribute('aria-label', t('lang_switch'));
  for (const l of LANGS) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'lang-btn';
    b.lang = l;
    b.textContent = t(`lang_${l}`);
    b.setAttribute('aria-pressed', String(l === current));
    b.dataset.lang = l;
    b.addEventListener('click', () => {
      if (l !== current) onPick(l);
    });
    container.append(b);
  }
}
