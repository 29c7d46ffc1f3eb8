/*
 * api_page.c - /place/{id}?date=&lang=: the place page, web/place.html
 * filled in, so that the answer is in the HTML itself and reads without
 * JavaScript (the page's script adds the charts). The figures in words
 * come from summary.c and the labels from the table below, in Ukrainian
 * or English.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "api_int.h"
#include "frontwatch/assess.h"
#include "frontwatch/date.h"
#include "frontwatch/displacement.h"
#include "frontwatch/events.h"
#include "frontwatch/oblast.h"
#include "frontwatch/season.h"

enum label {
    L_STATUS, L_DISTANCE, L_CHANGE_7D, L_CHANGE_28D, L_CONTESTED,
    L_ALERTS_7D, L_ALERTS_30D, L_P30, L_P90, L_MAP, L_ALERT_DATA, L_NONE,
    L_STALE, L_OBLAST, L_WHY, L_SKILL, L_DAYS, L_RAISES, L_LOWERS,
    L_NOT_TESTED, L_BORDER_RU, L_BORDER_BY, L_BORDER_BY_WHY,
    L_BORDER_NONE, L_STRIKES_7D, L_STRIKES_30D, L_STRIKES_RATIO,
    L_STRIKES_PER_30D, L_STRIKES_PREV_NONE, L_WAVES, L_WAVES_30D,
    L_UNKNOWN, L_NO_OBLAST, L_SEASON, L_NOT_MEASURED, L_TROOPS,
    L_STRIKE_DATA, L_IDPS, L_ROUND, L_SINCE_ROUND, L_IOM_NONE,
    L_IOM_NO_ROUND, L_MONITORING, L_VISIT, L_CIVILIANS, L_CIV_CHANGE,
    L_MOVING_OUT, L_FRONT_SEEN, L_NOT_MONITORED, N_LABELS
};

static const char *const LABELS[FW_N_LANGS][N_LABELS] = {
    [FW_LANG_EN] = {"Status", "Distance to the occupied area",
                    "Change in 7 days", "Change in 28 days",
                    "Contested area within 25 km",
                    "Air-raid alerts, last 7 days",
                    "Air-raid alerts, last 30 days",
                    "Chance of occupation within 30 days",
                    "Chance of occupation within 90 days", "Map",
                    "Alert data up to", "no data", "stale", "oblast",
                    "Why, within", "Back-test, within", "days",
                    "raises it", "lowers it", "not back-tested",
                    "Distance to the border with Russia",
                    "Distance to the border with Belarus",
                    "not measured: the data has no outline of Belarus",
                    "unknown: no state border in the data",
                    "Strikes within 25 km, last 7 days",
                    "Strikes within 25 km, last 30 days",
                    "Strikes within 25 km, last 30 days against the 90 "
                    "before",
                    "per 30 days in the 90 days before",
                    "no strike in the 90 days before",
                    "Attack waves aimed at", "last 30 days", "unknown",
                    "the place has no oblast", "Season", "Not measured",
                    "troop numbers and massing near the front or the "
                    "border: no public data shows them, so silence here "
                    "is not safety",
                    "Strike data up to",
                    "People displaced within Ukraine present in the oblast "
                    "(IOM DTM)",
                    "round", "since round",
                    "unknown: IOM DTM gives no estimate for this oblast",
                    "unknown: no IOM DTM round up to this date",
                    "Front-line settlement monitoring (SLAC)", "visit of",
                    "civilians present", "change in civilians",
                    "people moving out now", "front line as the monitors saw it",
                    "no visit of this place up to this date"},
    [FW_LANG_UK] = {"Статус", "Відстань до окупованої території",
                    "Зміна за 7 днів", "Зміна за 28 днів",
                    "Спірна територія в радіусі 25 км",
                    "Повітряні тривоги за 7 днів",
                    "Повітряні тривоги за 30 днів",
                    "Імовірність окупації протягом 30 днів",
                    "Імовірність окупації протягом 90 днів", "Мапа",
                    "Дані про тривоги до", "немає даних", "застарілі", "область",
                    "Чому, протягом", "Перевірка на історії, протягом",
                    "днів", "підвищує", "знижує",
                    "не перевірено на історії",
                    "Відстань до кордону з Росією",
                    "Відстань до кордону з Білоруссю",
                    "не виміряно: у даних немає контуру Білорусі",
                    "невідомо: у даних немає державного кордону",
                    "Удари в радіусі 25 км за 7 днів",
                    "Удари в радіусі 25 км за 30 днів",
                    "Удари в радіусі 25 км за 30 днів проти попередніх 90",
                    "за 30 днів у середньому за попередні 90 днів",
                    "у попередні 90 днів ударів не було",
                    "Хвилі атак на", "за 30 днів", "невідомо",
                    "населений пункт не належить до жодної області",
                    "Сезон", "Не виміряно",
                    "чисельність військ і їх зосередження біля фронту чи "
                    "кордону не видно в жодних відкритих даних, тож тиша "
                    "тут не означає безпеки",
                    "Дані про удари до",
                    "Внутрішньо переміщені особи в області (МОМ, DTM)",
                    "раунд", "від раунду",
                    "невідомо: МОМ не дає оцінки для цієї області",
                    "невідомо: немає раунду МОМ до цієї дати",
                    "Моніторинг прифронтових населених пунктів (SLAC)",
                    "візит", "цивільні присутні", "зміна кількості цивільних",
                    "люди виїжджають зараз",
                    "лінія фронту, як її бачили монітори",
                    "монітори не відвідували цей населений пункт до цієї "
                    "дати"},
};

static const char *const STATUS_WORDS[FW_N_LANGS][4] = {
    [FW_LANG_EN] = {"not occupied", "contested", "occupied",
                    "occupied before 2022"},
    [FW_LANG_UK] = {"не окуповано", "спірна територія", "окуповано",
                    "окуповано до 2022 року"},
};

/* The phases of season.h in Ukrainian; the English are fw_season_text's,
 * the CLI's words. */
static const char *const SEASON_UK[] = {
    [FW_SEASON_WINTER] = "зима (мерзла земля й короткі дні, грудень–лютий)",
    [FW_SEASON_SPRING_MUD] = "весняне бездоріжжя (відлига, березень–квітень; "
                             "наступи починалися, коли земля просихала)",
    [FW_SEASON_CAMPAIGN] = "сезон наступальних кампаній (суха земля, "
                           "травень–вересень)",
    [FW_SEASON_AUTUMN_MUD] = "осіннє бездоріжжя (дощі, жовтень–листопад)",
};

/* What names a group of strike sources, in each language: in the
 * nominative ("the incident data ends") and the genitive ("no incident
 * data"), which Ukrainian tells apart. */
struct data_words {
    const char *nom[FW_N_LANGS];
    const char *gen[FW_N_LANGS];
};
static const struct data_words INCIDENT_DATA = {
    {[FW_LANG_EN] = "the incident data", [FW_LANG_UK] = "дані про інциденти"},
    {[FW_LANG_EN] = "incident data", [FW_LANG_UK] = "даних про інциденти"},
};
static const struct data_words MISSILE_DATA = {
    {[FW_LANG_EN] = "the missile-table data",
     [FW_LANG_UK] = "дані таблиці ракетних атак"},
    {[FW_LANG_EN] = "missile-table data",
     [FW_LANG_UK] = "даних таблиці ракетних атак"},
};

/* The first "{{" or "}}" (pat) in [p, end), or NULL. */
static const char *find2(const char *p, const char *end, const char *pat)
{
    for (; p + 1 < end; p++) {
        if (p[0] == pat[0] && p[1] == pat[1]) {
            return p;
        }
    }
    return NULL;
}

static void html(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: fputc(*s, f);
        }
    }
}

/* v with one decimal (a sign when is_signed) and the language's decimal
 * mark, then the unit. */
static void figure(FILE *f, double v, int is_signed, enum fw_lang lang,
                   const char *unit)
{
    char buf[64];
    if (isnan(v)) {
        fputs(LABELS[lang][L_NONE], f);
        return;
    }
    snprintf(buf, sizeof buf, is_signed ? "%+.1f" : "%.1f", v);
    if (lang == FW_LANG_UK) {
        char *dot = strchr(buf, '.');
        if (dot != NULL) {
            *dot = ',';
        }
    }
    fprintf(f, "%s%s", buf, unit);
}

/* A row's start up to its label's text: the caller writes the label,
 * then "</dt><dd>" (row() does both). */
static void row_start(FILE *f, const char *key)
{
    fprintf(f, "<div class=\"fact\" data-key=\"%s\"><dt>", key);
}

static void row(FILE *f, const char *key, const char *label)
{
    row_start(f, key);
    html(f, label);
    fputs("</dt><dd>", f);
}

/* A row's end; one row a line, so that the page's source reads. */
static void end_row(FILE *f)
{
    fputs("</dd></div>\n", f);
}

/* A count (a whole number), or "unknown (why)". */
static void count_or_unknown(FILE *f, double v, enum fw_lang l, const char *why)
{
    if (isnan(v)) {
        fprintf(f, "%s (", LABELS[l][L_UNKNOWN]);
        html(f, why);
        fputs(")", f);
    } else {
        fprintf(f, "%.0f", v);
    }
}

/* Why the strike sources [first, first + n) leave a window unknown
 * (fw_assess_strikes_gap, the CLI's rule), in words. */
static void strikes_unknown_why(const struct fw_strike_load *sl, int first,
                                int n, const struct data_words *w,
                                enum fw_lang l, char *buf, size_t cap)
{
    int64_t t;
    enum fw_strikes_gap gap = fw_assess_strikes_gap(sl, first, n, &t);
    char b[11];
    fw_date_format_day(t, b);
    if (gap == FW_STRIKES_GAP_NO_DATA) {
        snprintf(buf, cap,
                 l == FW_LANG_UK ? "немає %s до цієї дати"
                                 : "no %s up to this date",
                 w->gen[l]);
    } else if (gap == FW_STRIKES_GAP_ENDED) {
        snprintf(buf, cap,
                 l == FW_LANG_UK ? "%s закінчуються %s" : "%s ends on %s",
                 w->nom[l], b);
    } else {
        snprintf(buf, cap,
                 l == FW_LANG_UK ? "%s починаються %s" : "%s starts on %s",
                 w->nom[l], b);
    }
}

/* The oblast as the object of "aimed at": "Kharkiv oblast", "Харківську
 * область" (Ukrainian's accusative: each word's final -а becomes -у, as
 * in "Автономну Республіку Крим"); Kyiv City, Sevastopol and Crimea are
 * no oblast. */
static void oblast_object(FILE *f, const struct fw_oblast *o, enum fw_lang l)
{
    int is_oblast = fw_oblast_is_oblast(o);
    if (l == FW_LANG_EN) {
        html(f, o->name_en);
        fputs(is_oblast ? " oblast" : "", f);
        return;
    }
    static const char A[] = "а", U[] = "у"; /* two bytes each in UTF-8 */
    for (const char *p = o->name_uk; *p;) {
        if (strncmp(p, A, 2) == 0 && (p[2] == '\0' || p[2] == ' ')) {
            fputs(U, f);
            p += 2;
        } else {
            fputc(*p++, f);
        }
    }
    fputs(is_oblast ? " область" : "", f);
}

/* The state border: Russia's, measured, and Belarus's, which is not. */
static void border_rows(FILE *f, const struct fw_assessment *a, enum fw_lang l)
{
    const char *const *L = LABELS[l];
    row(f, "distance_to_border_km", L[L_BORDER_RU]);
    if (a->border_country[0] == '\0') {
        fputs(L[L_BORDER_NONE], f);
    } else {
        figure(f, a->distance_to_border_km, 0, l, l ? " км" : " km");
    }
    end_row(f);
    row(f, "border_belarus", L[L_BORDER_BY]);
    fputs(L[L_BORDER_BY_WHY], f);
    end_row(f);
}

/* Strikes within 25 km over 7 and 30 days, the 30 days against the 90
 * before, and the attack waves aimed at the oblast: each "unknown" with
 * why where its data does not reach, never 0. */
static void strike_rows(FILE *f, const struct fw_assessment *a, enum fw_lang l)
{
    const char *const *L = LABELS[l];
    const struct fw_strike_load *sl = &a->strikes;
    char why[160];
    strikes_unknown_why(sl, 0, FW_INCIDENTS_N_SOURCES, &INCIDENT_DATA, l, why,
                        sizeof why);
    row(f, "strikes_25km_7d", L[L_STRIKES_7D]);
    count_or_unknown(f, sl->n_7d, l, why);
    end_row(f);
    row(f, "strikes_25km_30d", L[L_STRIKES_30D]);
    count_or_unknown(f, sl->n_30d, l, why);
    end_row(f);
    row(f, "strikes_25km_ratio", L[L_STRIKES_RATIO]);
    if (!isnan(sl->ratio)) {
        figure(f, sl->ratio, 0, l, "×");
        fputs(" (", f);
        figure(f, sl->n_prev90d / 3.0, 0, l, " ");
        fprintf(f, "%s)", L[L_STRIKES_PER_30D]);
    } else if (!isnan(sl->n_prev90d)) {
        fputs(L[L_STRIKES_PREV_NONE], f); /* the ratio of 0 is unknown */
    } else {
        count_or_unknown(f, NAN, l, why);
    }
    end_row(f);
    const struct fw_oblast *o = fw_oblast_by_iso(a->place.oblast_iso);
    row_start(f, "strike_waves_oblast_30d");
    fprintf(f, "%s ", L[L_WAVES]);
    if (o != NULL) {
        oblast_object(f, o, l);
    } else {
        fputs(l == FW_LANG_UK ? "область" : "the oblast", f);
    }
    fprintf(f, "%s%s</dt><dd>", l == FW_LANG_UK ? " " : ", ", L[L_WAVES_30D]);
    if (isnan(sl->waves_oblast_30d)) {
        if (o == NULL || fw_events_region_of(o->iso) == NULL) {
            snprintf(why, sizeof why, "%s", L[L_NO_OBLAST]);
        } else {
            strikes_unknown_why(sl, FW_INCIDENTS_N_SOURCES, 1, &MISSILE_DATA, l,
                                why, sizeof why);
        }
    }
    count_or_unknown(f, sl->waves_oblast_30d, l, why);
    end_row(f);
}

/* A count of people in lang's style: "447,000", "447 000" (a no-break
 * space). */
static void people(FILE *f, double v, enum fw_lang l)
{
    char digits[32];
    snprintf(digits, sizeof digits, "%.0f", fabs(v));
    size_t len = strlen(digits);
    if (v < 0) {
        fputs("-", f);
    }
    for (size_t i = 0; i < len; i++) {
        if (i > 0 && (len - i) % 3 == 0) {
            fputs(l == FW_LANG_UK ? "\xc2\xa0" : ",", f); /* no-break space */
        }
        fputc(digits[i], f);
    }
}

/* An answer of the monitoring's code book, in words. */
static void answer(FILE *f, const char *v, enum fw_lang l)
{
    html(f, fw_displacement_answer_text(v, l));
}

/* People leaving: IOM's estimate for the oblast and the monitors' newest
 * visit of the place. */
static void displacement_rows(FILE *f, const struct fw_assessment *a,
                              enum fw_lang l)
{
    const char *const *L = LABELS[l];
    const struct fw_displacement_oblast *o = &a->displacement.oblast;
    char b[11];
    row(f, "displacement_oblast", L[L_IDPS]);
    if (!o->has_round) {
        fputs(L[L_IOM_NO_ROUND], f);
    } else if (isnan(o->idps)) {
        fputs(L[L_IOM_NONE], f);
    } else {
        people(f, o->idps, l);
        fw_date_format_day(o->reported_s, b);
        fprintf(f, " (%s %d, %s", L[L_ROUND], o->round, b);
        if (!isnan(o->idps_change_prev_round)) {
            fputs("; ", f);
            fputs(o->idps_change_prev_round > 0 ? "+" : "", f);
            people(f, o->idps_change_prev_round, l);
            fprintf(f, " %s %d", L[L_SINCE_ROUND], o->prev_round);
        }
        fprintf(f, "%s%s)", o->is_stale ? ", " : "",
                o->is_stale ? L[L_STALE] : "");
    }
    end_row(f);
    const struct fw_settlement_status *v = &a->displacement.settlement;
    row(f, "displacement_settlement", L[L_MONITORING]);
    if (!v->has_visit) {
        fputs(L[L_NOT_MONITORED], f);
    } else {
        fw_date_format_day(v->visit_s, b);
        fprintf(f, "%s %s — %s: ", L[L_VISIT], b, L[L_CIVILIANS]);
        answer(f, v->civilians_present, l);
        fputs(" (", f);
        answer(f, v->civilians_number, l);
        fprintf(f, "); %s: ", L[L_CIV_CHANGE]);
        answer(f, v->civ_change, l);
        if (v->civ_change_type[0] != '\0') {
            fputs(", ", f);
            answer(f, v->civ_change_type, l);
        }
        fprintf(f, "; %s: ", L[L_MOVING_OUT]);
        answer(f, v->movement_now, l);
        if (v->movement_direction[0] != '\0') {
            fputs(", ", f);
            answer(f, v->movement_direction, l);
        }
        fprintf(f, "; %s: ", L[L_FRONT_SEEN]);
        answer(f, v->frontline_distance, l);
    }
    end_row(f);
}

static void facts(FILE *f, const struct fw_assessment *a, enum fw_lang l)
{
    const char *const *L = LABELS[l];
    fputs("<dl class=\"facts\">\n", f);
    row(f, "status", L[L_STATUS]);
    fputs(a->has_status ? STATUS_WORDS[l][a->status] : L[L_NONE], f);
    end_row(f);
    row(f, "distance_km", L[L_DISTANCE]);
    figure(f, a->distance_km, 0, l, l ? " км" : " km");
    end_row(f);
    row(f, "distance_change_7d_km", L[L_CHANGE_7D]);
    figure(f, a->distance_change_7d_km, 1, l, l ? " км" : " km");
    end_row(f);
    row(f, "distance_change_28d_km", L[L_CHANGE_28D]);
    figure(f, a->distance_change_28d_km, 1, l, l ? " км" : " km");
    end_row(f);
    row(f, "contested_km2_25km", L[L_CONTESTED]);
    figure(f, a->contested_km2_25km, 0, l, l ? " км²" : " km²");
    end_row(f);
    border_rows(f, a, l);
    row(f, "alert_hours_7d", L[L_ALERTS_7D]);
    figure(f, a->alerts.has_data ? a->alerts.hours_7d : NAN, 0, l,
           l ? " год" : " h");
    end_row(f);
    row(f, "alert_hours_30d", L[L_ALERTS_30D]);
    figure(f, a->alerts.has_data ? a->alerts.hours_30d : NAN, 0, l,
           l ? " год" : " h");
    end_row(f);
    strike_rows(f, a, l);
    displacement_rows(f, a, l);
    enum fw_season season = fw_season_at(a->date_s);
    row(f, "season", L[L_SEASON]);
    html(f, l == FW_LANG_UK ? SEASON_UK[season] : fw_season_text(season));
    end_row(f);
    row(f, "not_measured", L[L_NOT_MEASURED]);
    fputs(L[L_TROOPS], f);
    end_row(f);
    const struct fw_place_forecast *pf = a->forecast;
    int ok = a->model != NULL && pf != NULL && pf->state == FW_FORECAST_OK;
    row(f, "p_occupied_30d", L[L_P30]);
    figure(f, ok ? 100 * pf->p[0] : NAN, 0, l, " %");
    end_row(f);
    row(f, "p_occupied_90d", L[L_P90]);
    figure(f, ok ? 100 * pf->p[1] : NAN, 0, l, " %");
    end_row(f);
    for (int h = 0; ok && h < FW_N_HORIZONS; h++) {
        /* the evidence: the features that moved the number most (their
         * words are English in both languages: forecast.c writes them) */
        char label[96], key[32];
        snprintf(key, sizeof key, "reasons_%dd", FW_HORIZON_DAYS[h]);
        snprintf(label, sizeof label, "%s %d %s", L[L_WHY],
                 FW_HORIZON_DAYS[h], L[L_DAYS]);
        row(f, key, label);
        fputs("<ul>", f);
        for (size_t r = 0; r < pf->n_reasons[h]; r++) {
            fprintf(f, "<li>%s: ",
                    pf->reasons[h][r].contribution > 0 ? L[L_RAISES]
                                                       : L[L_LOWERS]);
            html(f, pf->reasons[h][r].text);
            fputs("</li>", f);
        }
        fputs("</ul>", f);
        end_row(f);
        const struct fw_forecast_skill *sk = &a->model->skill[h];
        snprintf(key, sizeof key, "backtest_%dd", FW_HORIZON_DAYS[h]);
        snprintf(label, sizeof label, "%s %d %s", L[L_SKILL],
                 FW_HORIZON_DAYS[h], L[L_DAYS]);
        row(f, key, label);
        if (sk->has) {
            fprintf(f, "%s..%s: Brier skill %+.2f vs distance-only, "
                       "AUROC %.2f",
                    sk->window_from, sk->window_to, sk->bss_distance,
                    sk->auroc);
        } else {
            fputs(L[L_NOT_TESTED], f);
        }
        end_row(f);
    }
    for (int i = 0; i < FW_GEO_N_SOURCES; i++) {
        const struct fw_source_assessment *sa = &a->sources[i];
        if (!sa->has_data) {
            continue;
        }
        char day[11], key[48];
        fw_date_format_day(sa->newest_s, day);
        snprintf(key, sizeof key, "map_%s", sa->source);
        row(f, key, L[L_MAP]);
        fprintf(f, "%s: %s%s%s", sa->source, day, sa->is_stale ? ", " : "",
                sa->is_stale ? L[L_STALE] : "");
        end_row(f);
    }
    if (a->alerts.newest_s > 0) {
        char day[11];
        fw_date_format_day(a->alerts.newest_s, day);
        row(f, "alerts_newest", L[L_ALERT_DATA]);
        fprintf(f, "%s%s%s", day, a->alerts.is_stale ? ", " : "",
                a->alerts.is_stale ? L[L_STALE] : "");
        end_row(f);
    }
    for (int i = 0; i < FW_ASSESS_N_STRIKE_SOURCES; i++) {
        const struct fw_strike_source *s = &a->strikes.sources[i];
        if (!s->has_data) {
            continue;
        }
        char day[11], key[48];
        fw_date_format_day(s->newest_s, day);
        snprintf(key, sizeof key, "strikes_%s", s->name);
        row(f, key, L[L_STRIKE_DATA]);
        fprintf(f, "%s: %s%s%s", s->name, day, s->is_stale ? ", " : "",
                s->is_stale ? L[L_STALE] : "");
        end_row(f);
    }
    fputs("</dl>", f);
}

/* The assessment's JSON, safe inside <script type="application/json">. */
static void data_json(FILE *f, const struct fw_assessment *a)
{
    char *txt = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&txt, &len);
    if (m == NULL) {
        fputs("null", f);
        return;
    }
    fw_assess_write_json(a, m);
    fclose(m);
    for (size_t i = 0; txt != NULL && i < len; i++) {
        switch (txt[i]) {
        case '<': fputs("\\u003c", f); break;
        case '>': fputs("\\u003e", f); break;
        case '&': fputs("\\u0026", f); break;
        case '\n': break;
        default: fputc(txt[i], f);
        }
    }
    free(txt);
}

void api_page_place(struct api_req *rq, struct api_resp *rs)
{
    size_t tlen = 0;
    const char *tpl = api_web_file(rq->api, "/place.html", &tlen);
    if (tpl == NULL) {
        api_error(rs, 404, "no_dashboard",
                  "the server runs without the dashboard (serve --web DIR)");
        return;
    }
    struct fw_place place;
    int64_t day_s;
    struct fw_assessment a;
    struct fw_place_forecast *pf = NULL;
    if (api_assess_request(rq, rs, &place, &day_s, &a, &pf) != 0) {
        return;
    }
    enum fw_lang l = rq->lang;
    char day[11];
    fw_date_format_day(day_s, day);
    api_ok(rs, "text/html; charset=utf-8");
    FILE *f = rs->f;
    for (const char *p = tpl, *end = tpl + tlen; p < end;) {
        const char *open = find2(p, end, "{{");
        const char *close = open ? find2(open + 2, end, "}}") : NULL;
        if (open == NULL || close == NULL) {
            fwrite(p, 1, (size_t)(end - p), f);
            break;
        }
        fwrite(p, 1, (size_t)(open - p), f);
        size_t n = (size_t)(close - open - 2);
        const char *name = open + 2;
#define IS(s) (n == sizeof(s) - 1 && memcmp(name, s, n) == 0)
        if (IS("lang")) {
            fputs(fw_lang_code(l), f);
        } else if (IS("title")) {
            const struct fw_oblast *o = fw_oblast_by_iso(place.oblast_iso);
            html(f, fw_summary_place_name(&place, l));
            if (o != NULL) {
                fputs(", ", f);
                html(f, l == FW_LANG_UK ? o->name_uk : o->name_en);
                if (fw_oblast_is_oblast(o)) {
                    fprintf(f, " %s", LABELS[l][L_OBLAST]);
                }
            }
            fprintf(f, " — %s", day);
        } else if (IS("summary")) {
            char buf[1024];
            fw_summary_format(&a, l, 1, buf, sizeof buf);
            html(f, buf);
        } else if (IS("facts")) {
            facts(f, &a, l);
        } else if (IS("data")) {
            data_json(f, &a);
        } else if (IS("base")) {
            html(f, rq->base);
        } else if (IS("place_id")) {
            fprintf(f, "%lld", (long long)place.id);
        } else if (IS("date")) {
            fputs(day, f);
        } else {
            fwrite(open, 1, (size_t)(close + 2 - open), f);
        }
#undef IS
        p = close + 2;
    }
    free(pf);
}
