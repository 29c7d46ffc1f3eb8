/*
 * summary.c - the answer in words, in English and Ukrainian (summary.h).
 *
 * Ukrainian: the place is named first and the status after a colon
 * ("Харків: не окуповано."), which needs no grammatical gender; a
 * settlement's gender is not in the store.
 */
#include "frontwatch/summary.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "frontwatch/date.h"

const char *fw_summary_place_name(const struct fw_place *p, enum fw_lang lang)
{
    if (lang == FW_LANG_UK && p->name_local[0] != '\0') {
        return p->name_local;
    }
    return p->name;
}

/* "%.1f" with a decimal comma in Ukrainian. */
static void num(double v, enum fw_lang lang, char *buf, size_t cap)
{
    snprintf(buf, cap, "%.1f", v);
    if (lang == FW_LANG_UK) {
        char *dot = strchr(buf, '.');
        if (dot != NULL) {
            *dot = ',';
        }
    }
}

static void percent(double p, enum fw_lang lang, char *buf, size_t cap)
{
    if (p < 0.001) {
        snprintf(buf, cap, lang == FW_LANG_UK ? "менше 0,1 %%"
                                              : "under 0.1 %%");
        return;
    }
    char n[32];
    num(100.0 * p, lang, n, sizeof n);
    snprintf(buf, cap, "%s %%", n);
}

static const char *status_en(enum fw_status s)
{
    switch (s) {
    case FW_STATUS_FREE: return "is not occupied";
    case FW_STATUS_CONTESTED: return "lies in a contested area";
    case FW_STATUS_OCCUPIED: return "is occupied";
    case FW_STATUS_OCCUPIED_PRE2022: return "has been occupied since before 2022";
    }
    return "has an unknown status";
}

static const char *status_uk(enum fw_status s)
{
    switch (s) {
    case FW_STATUS_FREE: return "не окуповано";
    case FW_STATUS_CONTESTED: return "у зоні боїв (спірна територія)";
    case FW_STATUS_OCCUPIED: return "окуповано";
    case FW_STATUS_OCCUPIED_PRE2022: return "окуповано ще до 2022 року";
    }
    return "статус невідомий";
}

static void change(double change_km, enum fw_lang lang, FILE *f)
{
    if (isnan(change_km)) {
        return;
    }
    char n[32];
    num(fabs(change_km), lang, n, sizeof n);
    if (change_km < -0.05) {
        fprintf(f, lang == FW_LANG_UK ? ", на %s км ближче, ніж 28 днів тому"
                                      : ", %s km closer than 28 days ago",
                n);
    } else if (change_km > 0.05) {
        fprintf(f, lang == FW_LANG_UK ? ", на %s км далі, ніж 28 днів тому"
                                      : ", %s km farther than 28 days ago",
                n);
    } else {
        fprintf(f, lang == FW_LANG_UK ? ", як і 28 днів тому"
                                      : ", unchanged from 28 days ago");
    }
}

/* " The Russian border is 6.4 km away." */
static void border(const struct fw_assessment *a, enum fw_lang lang, FILE *f)
{
    char km[32];
    num(a->distance_to_border_km, lang, km, sizeof km);
    int is_ru = strcmp(a->border_country, "RU") == 0;
    if (lang == FW_LANG_UK) {
        if (is_ru) {
            fprintf(f, " Кордон з Росією — за %s км.", km);
        } else {
            fprintf(f, " Державний кордон (%s) — за %s км.",
                    a->border_country, km);
        }
    } else if (is_ru) {
        fprintf(f, " The Russian border is %s km away.", km);
    } else {
        fprintf(f, " The state border (%s) is %s km away.", a->border_country,
                km);
    }
}

static void forecast(const struct fw_assessment *a, enum fw_lang lang,
                     FILE *f)
{
    const struct fw_place_forecast *pf = a->forecast;
    if (a->model == NULL || pf == NULL || pf->state != FW_FORECAST_OK) {
        return;
    }
    char p30[40], p90[40];
    percent(pf->p[0], lang, p30, sizeof p30);
    percent(pf->p[1], lang, p90, sizeof p90);
    fprintf(f,
            lang == FW_LANG_UK
                ? " Імовірність окупації: %s протягом 30 днів, %s протягом "
                  "90 днів."
                : " Chance of coming under occupation: %s within 30 days, "
                  "%s within 90 days.",
            p30, p90);
}

void fw_summary_write(const struct fw_assessment *a, enum fw_lang lang,
                      int with_forecast, FILE *f)
{
    const char *name = fw_summary_place_name(&a->place, lang);
    if (!a->has_status) {
        char date[11];
        fw_date_format_day(a->date_s, date);
        if (lang == FW_LANG_UK) {
            fprintf(f, "%s: статус невідомий, жодна мапа лінії фронту в "
                       "сховищі не охоплює %s.",
                    name, date);
        } else {
            fprintf(f, "No front-line map in the store covers %s: the "
                       "status of %s is unknown.",
                    date, name);
        }
        return;
    }
    if (lang == FW_LANG_UK) {
        fprintf(f, "%s: %s.", name, status_uk(a->status));
    } else {
        fprintf(f, "%s %s.", name, status_en(a->status));
    }
    if (a->status == FW_STATUS_FREE || a->status == FW_STATUS_CONTESTED) {
        /* the nearer threat first: across the border, or the front */
        int has_border = a->border_country[0] != '\0' &&
                         !isnan(a->distance_to_border_km);
        int border_first =
            has_border && a->distance_to_border_km < a->distance_km;
        if (border_first) {
            border(a, lang, f);
        }
        char km[32];
        num(a->distance_km, lang, km, sizeof km);
        fprintf(f,
                lang == FW_LANG_UK
                    ? " Найближча окупована територія — за %s км"
                    : " The nearest occupied area is %s km away",
                km);
        change(a->distance_change_28d_km, lang, f);
        fprintf(f, ".");
        if (has_border && !border_first) {
            border(a, lang, f);
        }
    }
    if (with_forecast) {
        forecast(a, lang, f);
    }
}

void fw_summary_format(const struct fw_assessment *a, enum fw_lang lang,
                       int with_forecast, char *buf, size_t cap)
{
    if (cap == 0) {
        return;
    }
    buf[0] = '\0';
    FILE *f = fmemopen(buf, cap, "w");
    if (f == NULL) {
        return;
    }
    /* fmemopen keeps the last byte for the terminator when the text is
     * cut; setvbuf off so that a cut text is still written */
    setvbuf(f, NULL, _IONBF, 0);
    fw_summary_write(a, lang, with_forecast, f);
    fclose(f);
    buf[cap - 1] = '\0';
}
