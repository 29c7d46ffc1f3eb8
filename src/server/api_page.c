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
#include "frontwatch/oblast.h"

enum label {
    L_STATUS, L_DISTANCE, L_CHANGE_7D, L_CHANGE_28D, L_CONTESTED,
    L_ALERTS_7D, L_ALERTS_30D, L_P30, L_P90, L_MAP, L_ALERT_DATA, L_NONE,
    L_STALE, L_OBLAST, L_WHY, L_SKILL, L_DAYS, L_RAISES, L_LOWERS,
    L_NOT_TESTED, N_LABELS
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
                    "raises it", "lowers it", "not back-tested"},
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
                    "не перевірено на історії"},
};

static const char *const STATUS_WORDS[FW_N_LANGS][4] = {
    [FW_LANG_EN] = {"not occupied", "contested", "occupied",
                    "occupied before 2022"},
    [FW_LANG_UK] = {"не окуповано", "спірна територія", "окуповано",
                    "окуповано до 2022 року"},
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

static void row(FILE *f, const char *key, const char *label)
{
    fprintf(f, "<div class=\"fact\" data-key=\"%s\"><dt>", key);
    html(f, label);
    fputs("</dt><dd>", f);
}

/* A row's end; one row a line, so that the page's source reads. */
static void end_row(FILE *f) { fputs("</dd></div>\n", f); }

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
    row(f, "alert_hours_7d", L[L_ALERTS_7D]);
    figure(f, a->alerts.has_data ? a->alerts.hours_7d : NAN, 0, l,
           l ? " год" : " h");
    end_row(f);
    row(f, "alert_hours_30d", L[L_ALERTS_30D]);
    figure(f, a->alerts.has_data ? a->alerts.hours_30d : NAN, 0, l,
           l ? " год" : " h");
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
                fprintf(f, " %s", LABELS[l][L_OBLAST]);
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
