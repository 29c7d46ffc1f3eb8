/*
 * assess.c - indicators for one place and day, and their text and JSON
 * forms (see assess.h).
 */
#include "frontwatch/assess.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "frontwatch/border.h"
#include "frontwatch/date.h"
#include "frontwatch/events.h"
#include "frontwatch/incidents.h"
#include "frontwatch/oblast.h"
#include "frontwatch/season.h"
#include "frontwatch/summary.h"
#include "frontwatch/text.h"

#define DAY FW_DAY_S

static fw_err sql_err(fw_store *st, struct fw_diag *d)
{
    return fw_diag_set(d, FW_ESQL, 0, 0, "%s",
                       sqlite3_errmsg(fw_store_db(st)));
}

/* Distance at the snapshot in force at time t as known at seen (a glitch
 * exposed by then is passed over), or NAN. */
static fw_err distance_at(fw_geo *g, const char *source,
                          const struct fw_place *p, int64_t t, int64_t seen,
                          double *km, struct fw_diag *d)
{
    struct fw_snapshot_info snap;
    struct fw_control c;
    *km = NAN;
    fw_err err = fw_geo_snapshot_seen(g, source, t, seen, &snap, d);
    if (err == FW_ENOTFOUND) {
        return FW_OK;
    }
    if (err != FW_OK) {
        return err;
    }
    err = fw_geo_control(g, &snap, p->lat_deg, p->lon_deg, &c, d);
    if (err == FW_ENOTFOUND) {
        return FW_OK;
    }
    if (err == FW_OK) {
        *km = c.distance_km;
    }
    return err;
}

static fw_err assess_source(fw_geo *g, const char *source,
                            const struct fw_place *p, int64_t at,
                            struct fw_source_assessment *sa,
                            struct fw_diag *d)
{
    memset(sa, 0, sizeof *sa);
    snprintf(sa->source, sizeof sa->source, "%s", source);
    sa->distance_7d_ago_km = NAN;
    sa->distance_28d_ago_km = NAN;
    fw_err err = fw_geo_snapshot_at(g, source, at, &sa->snap, d);
    if (err == FW_ENOTFOUND) {
        return FW_OK;
    }
    if (err != FW_OK) {
        return err;
    }
    err = fw_geo_control(g, &sa->snap, p->lat_deg, p->lon_deg, &sa->now, d);
    if (err == FW_ENOTFOUND) {
        return FW_OK;
    }
    if (err != FW_OK) {
        return err;
    }
    sa->has_data = 1;
    sa->newest_s = sa->snap.published_s;
    sa->is_stale = at - sa->newest_s > FW_ASSESS_MAP_STALE_DAYS * DAY;
    double nearest_set_aside_km = INFINITY;
    if ((err = fw_geo_set_aside(g, &sa->snap, p->lat_deg, p->lon_deg,
                                sa->set_aside, FW_ASSESS_MAX_SET_ASIDE,
                                &sa->n_set_aside, &nearest_set_aside_km, d)) !=
            FW_OK ||
        (err = distance_at(g, source, p, at - 7 * DAY, at,
                           &sa->distance_7d_ago_km, d)) != FW_OK) {
        return err;
    }
    sa->drawn_distance_km = fmin(sa->now.distance_km, nearest_set_aside_km);
    return distance_at(g, source, p, at - 28 * DAY, at,
                       &sa->distance_28d_ago_km, d);
}

/* NZZ and the two DeepState layers are the two independent sources. */
static int same_family(const char *a, const char *b)
{
    return (strcmp(a, "nzz") == 0) == (strcmp(b, "nzz") == 0);
}

/* Sets sa's data warning (assess.h) against the other sources of a. */
static void check_jump(const struct fw_assessment *a,
                       struct fw_source_assessment *sa)
{
    double now = sa->now.distance_km, before = sa->distance_7d_ago_km;
    if (isnan(before) || fabs(now - before) < FW_ASSESS_JUMP_KM) {
        return;
    }
    /* the other source's freshest map */
    const struct fw_source_assessment *other = NULL;
    for (int i = 0; i < FW_GEO_N_SOURCES; i++) {
        const struct fw_source_assessment *o = &a->sources[i];
        if (o->has_data && !same_family(o->source, sa->source) &&
            (other == NULL || o->snap.as_of_s > other->snap.as_of_s)) {
            other = o;
        }
    }
    int64_t oldest_s = sa->snap.as_of_s - FW_ASSESS_JUMP_LAG_DAYS * DAY;
    if (other == NULL || other->snap.as_of_s < oldest_s) {
        return; /* an older map cannot say the jump did not happen */
    }
    double o_km = other->drawn_distance_km;
    if (fabs(o_km - now) > fabs(o_km - before)) {
        sa->has_data_warning = 1;
        snprintf(sa->warning_other, sizeof sa->warning_other, "%s",
                 other->source);
        sa->warning_other_km = o_km;
    }
}

/* Sets sa's set_aside_shown_by (assess.h): the held parts of sa's map are
 * drawn by a map of the other source published after it, which saw them
 * before sa's source drew them again (the Vovchansk incursion of
 * 2024-05-10: DeepState's map of 05-12 holds it, NZZ's of 05-13 draws it). */
static void check_held(const struct fw_assessment *a,
                       struct fw_source_assessment *sa)
{
    if (sa->n_set_aside == 0) {
        return;
    }
    for (int i = 0; i < FW_GEO_N_SOURCES; i++) {
        const struct fw_source_assessment *o = &a->sources[i];
        double km = o->now.distance_km;
        if (o->has_data && !same_family(o->source, sa->source) &&
            o->snap.published_s > sa->snap.published_s &&
            fabs(km - sa->drawn_distance_km) < fabs(km - sa->now.distance_km)) {
            snprintf(sa->set_aside_shown_by, sizeof sa->set_aside_shown_by,
                     "%s", o->source);
            return;
        }
    }
}

/* Whether the headline passes over sa while another source has neither
 * a data warning nor held parts that a later map draws. */
static int passed_over(const struct fw_source_assessment *sa)
{
    return sa->has_data_warning || sa->set_aside_shown_by[0] != '\0';
}

double fw_assess_covered_s(const struct fw_interval *iv, size_t n,
                           int64_t lo_s, int64_t hi_s)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t a = iv[i].start_s > lo_s ? iv[i].start_s : lo_s;
        int64_t b = iv[i].end_s < hi_s ? iv[i].end_s : hi_s;
        if (b > a) {
            sum += (double)(b - a);
        }
    }
    return sum;
}

/* Every alert of any source and level in the oblast (oblast, raion,
 * hromada: since December 2025 the official channel raises most alerts
 * per raion, so a raion's alert is the oblast's too), merged so that
 * overlaps count once. An alert still running when it was read counts up
 * to hi_s, but for no longer than alert data stays fresh after that
 * reading: an answer that never came to close it must not keep the oblast
 * under alert for ever. */
fw_err fw_assess_alert_intervals(fw_store *st, const char *oblast_iso,
                                 int64_t lo_s, int64_t hi_s,
                                 struct fw_interval **out, size_t *n_out,
                                 struct fw_diag *d)
{
    sqlite3_stmt *s = NULL;
    fw_err err = fw_store_prepare(
        st,
        "SELECT start_s, CASE WHEN is_open THEN max(end_s, min(?3,"
        " end_s + ?4)) ELSE end_s END AS e FROM alert"
        " WHERE oblast_iso = ?1 AND start_s < ?3"
        " AND end_s + CASE WHEN is_open THEN ?4 ELSE 0 END > ?2"
        /* implied by the line above; lets alert_oblast_end seek to the
         * window */
        " AND end_s > ?2 - ?4"
        " ORDER BY start_s",
        &s, d);
    if (err != FW_OK) {
        return err;
    }
    sqlite3_bind_text(s, 1, oblast_iso, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, lo_s);
    sqlite3_bind_int64(s, 3, hi_s);
    sqlite3_bind_int64(s, 4, FW_ASSESS_ALERT_STALE_DAYS * DAY);
    struct fw_interval *iv = NULL;
    size_t n = 0, cap = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        int64_t a = sqlite3_column_int64(s, 0);
        int64_t b = sqlite3_column_int64(s, 1);
        if (n > 0 && a <= iv[n - 1].end_s) {
            if (b > iv[n - 1].end_s) {
                iv[n - 1].end_s = b;
            }
            continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            struct fw_interval *niv = realloc(iv, cap * sizeof *niv);
            if (niv == NULL) {
                err = fw_diag_set(d, FW_ENOMEM, 0, 0, "out of memory");
                break;
            }
            iv = niv;
        }
        iv[n].start_s = a;
        iv[n].end_s = b;
        n++;
    }
    if (err == FW_OK && rc != SQLITE_DONE) {
        err = sql_err(st, d);
    }
    sqlite3_finalize(s);
    if (err != FW_OK) {
        free(iv);
        return err;
    }
    *out = iv;
    *n_out = n;
    return FW_OK;
}

/* Hours under alert in the place's oblast over the three windows, and
 * whether the data is fresh enough for them to mean anything. */
static fw_err alert_load(fw_store *st, const struct fw_place *p, int64_t at,
                         struct fw_alert_load *al, struct fw_diag *d)
{
    memset(al, 0, sizeof *al);
    struct fw_interval *iv = NULL;
    size_t n = 0;
    fw_err err =
        fw_assess_alert_intervals(st, p->oblast_iso, at - 120 * DAY, at, &iv,
                                  &n, d);
    if (err != FW_OK) {
        return err;
    }
    al->hours_7d = fw_assess_covered_s(iv, n, at - 7 * DAY, at) / 3600.0;
    al->hours_30d = fw_assess_covered_s(iv, n, at - 30 * DAY, at) / 3600.0;
    al->hours_prev90d =
        fw_assess_covered_s(iv, n, at - 120 * DAY, at - 30 * DAY) / 3600.0;
    free(iv);
    /* Freshness: the newest alert anywhere (a quiet oblast is not stale
     * data), and whether this oblast has any alert history at all. */
    sqlite3_stmt *s = NULL;
    err = fw_store_prepare(st,
                           "SELECT (SELECT max(start_s) FROM alert"
                           "  WHERE start_s <= ?1),"
                           " EXISTS(SELECT 1 FROM alert WHERE oblast_iso=?2"
                           "  AND start_s <= ?1)",
                           &s, d);
    if (err != FW_OK) {
        return err;
    }
    sqlite3_bind_int64(s, 1, at);
    sqlite3_bind_text(s, 2, p->oblast_iso, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW &&
        sqlite3_column_type(s, 0) != SQLITE_NULL) {
        al->newest_s = sqlite3_column_int64(s, 0);
        al->is_stale = at - al->newest_s > FW_ASSESS_ALERT_STALE_DAYS * DAY;
        /* hours from data that ended before the window are not zero
         * hours: they are unknown */
        al->has_data = sqlite3_column_int(s, 1) && !al->is_stale;
    }
    sqlite3_finalize(s);
    return FW_OK;
}

/* The distance to the nearest state border; none stored is no error (the
 * fields stay "" and NAN). */
static fw_err border_distance(fw_geo *g, const struct fw_place *p,
                              struct fw_assessment *a, struct fw_diag *d)
{
    struct fw_border_distance b;
    fw_err err = fw_border_distance(g, p->lat_deg, p->lon_deg, &b, d);
    if (err == FW_ENOTFOUND) {
        return FW_OK;
    }
    if (err == FW_OK) {
        snprintf(a->border_country, sizeof a->border_country, "%s",
                 b.country);
        a->distance_to_border_km = b.distance_km;
    }
    return err;
}

/* ---- strikes near the place ---------------------------------------------- */

/* Whether the source covers a window from t0 to the date: its records
 * reach back to t0 and are fresh at the date (assess.h). */
static int covers(const struct fw_strike_source *s, int64_t t0)
{
    return s->has_data && !s->is_stale && s->oldest_s <= t0;
}

/* The incident sources that cover a window from t0: a source mask. */
static unsigned covering(const struct fw_strike_load *sl, int64_t t0)
{
    unsigned m = 0;
    for (int i = 0; i < FW_INCIDENTS_N_SOURCES; i++) {
        if (covers(&sl->sources[i], t0)) {
            m |= 1u << i;
        }
    }
    return m;
}

/* The span of one event source at the date into s. */
static fw_err strike_source(fw_store *st, const char *name, int64_t date_s,
                            int64_t at, struct fw_strike_source *s,
                            struct fw_diag *d)
{
    struct fw_event_span sp;
    fw_err err = fw_incidents_span(st, name, at, &sp, d);
    if (err != FW_OK) {
        return err;
    }
    snprintf(s->name, sizeof s->name, "%s", name);
    s->has_data = sp.has_data;
    s->oldest_s = sp.oldest_s;
    s->newest_s = sp.newest_s;
    s->is_stale = sp.has_data && date_s - fw_date_floor_day(sp.newest_s) >
                                     FW_ASSESS_STRIKE_STALE_DAYS * DAY;
    return FW_OK;
}

/* Strikes near p in [t0, t1) from the sources of mask; NAN for none. */
static fw_err strikes_near(fw_store *st, const struct fw_place *p, int64_t t0,
                           int64_t t1, unsigned mask, double *n,
                           struct fw_diag *d)
{
    *n = NAN;
    if (mask == 0) {
        return FW_OK;
    }
    struct fw_strike_count c;
    fw_err err = fw_incidents_count_near(st, p->lat_deg, p->lon_deg,
                                         FW_ASSESS_STRIKE_RADIUS_KM, t0, t1,
                                         mask, &c, d);
    if (err == FW_OK) {
        *n = (double)c.n_strikes;
    }
    return err;
}

/* Strikes within 25 km over 7 and 30 days against the 90 before, and the
 * attack waves aimed at the oblast in 30 days; each unknown (NAN) where
 * its data does not cover the window: missing is not 0. */
static fw_err strike_load(fw_store *st, const struct fw_place *p,
                          int64_t date_s, int64_t at,
                          struct fw_strike_load *sl, struct fw_diag *d)
{
    memset(sl, 0, sizeof *sl);
    sl->n_7d = sl->n_30d = sl->n_prev90d = sl->ratio = NAN;
    sl->waves_oblast_30d = NAN;
    fw_err err = FW_OK;
    for (int i = 0; i < FW_INCIDENTS_N_SOURCES && err == FW_OK; i++) {
        err = strike_source(st,
                            fw_incidents_source_name((enum fw_incident_source)i),
                            date_s, at, &sl->sources[i], d);
    }
    struct fw_strike_source *ms = &sl->sources[FW_INCIDENTS_N_SOURCES];
    if (err == FW_OK) {
        err = strike_source(st, FW_EVENTS_SOURCE_MISSILES, date_s, at, ms, d);
    }
    unsigned m120 = covering(sl, at - 120 * DAY);
    sl->sources_30d = covering(sl, at - 30 * DAY);
    double n30_base = NAN;
    if (err != FW_OK ||
        (err = strikes_near(st, p, at - 7 * DAY, at,
                            covering(sl, at - 7 * DAY), &sl->n_7d, d)) !=
            FW_OK ||
        (err = strikes_near(st, p, at - 30 * DAY, at, sl->sources_30d,
                            &sl->n_30d, d)) != FW_OK ||
        (err = strikes_near(st, p, at - 120 * DAY, at - 30 * DAY, m120,
                            &sl->n_prev90d, d)) != FW_OK) {
        return err;
    }
    if (m120 == sl->sources_30d) {
        n30_base = sl->n_30d;
    } else if ((err = strikes_near(st, p, at - 30 * DAY, at, m120, &n30_base,
                                   d)) != FW_OK) {
        return err;
    }
    if (sl->n_prev90d > 0) {
        sl->ratio = n30_base / (sl->n_prev90d / 3.0);
    }
    if (covers(ms, at - 30 * DAY) && fw_events_region_of(p->oblast_iso)) {
        struct fw_event_counts c;
        err = fw_events_oblast_counts(st, p->oblast_iso, at - 30 * DAY, at, &c,
                                      d);
        if (err == FW_OK) {
            sl->waves_oblast_30d = (double)c.n_waves_oblast;
        }
    }
    return err;
}

fw_err fw_assess(fw_store *st, fw_geo *g, const struct fw_place *place,
                 int64_t date_s, struct fw_assessment *out,
                 struct fw_diag *d)
{
    struct fw_assessment *a = calloc(1, sizeof *a);
    if (a == NULL) {
        return FW_ENOMEM;
    }
    a->place = *place;
    a->date_s = fw_date_floor_day(date_s);
    a->at_s = a->date_s + DAY - 1;
    a->distance_km = NAN;
    a->distance_change_7d_km = NAN;
    a->distance_change_28d_km = NAN;
    a->contested_km2_25km = NAN;
    a->distance_to_border_km = NAN;
    fw_err err = FW_OK;
    for (int i = 0; i < FW_GEO_N_SOURCES && err == FW_OK; i++) {
        struct fw_source_assessment *sa = &a->sources[i];
        err = assess_source(g, FW_GEO_SOURCES[i], place, a->at_s, sa, d);
        if (err == FW_OK && sa->has_data &&
            sa->now.contested_km2_25km >= 0) {
            a->contested_km2_25km = sa->now.contested_km2_25km;
        }
    }
    for (int i = 0; i < FW_GEO_N_SOURCES && err == FW_OK; i++) {
        if (a->sources[i].has_data) {
            check_jump(a, &a->sources[i]);
            check_held(a, &a->sources[i]);
        }
    }
    /* the newest picture of the front wins: compare what the maps show
     * (as_of), not when they were published; a source whose distance
     * jumped where the other source saw no jump, or that holds back parts
     * a later map of the other source draws, is passed over while another
     * source is not */
    const struct fw_source_assessment *best = NULL;
    for (int i = 0; i < FW_GEO_N_SOURCES && err == FW_OK; i++) {
        const struct fw_source_assessment *sa = &a->sources[i];
        if (!sa->has_data) {
            continue;
        }
        if (best == NULL || (passed_over(best) && !passed_over(sa)) ||
            (passed_over(best) == passed_over(sa) &&
             sa->snap.as_of_s > best->snap.as_of_s)) {
            best = sa;
        }
    }
    if (err == FW_OK && best != NULL) {
        a->has_status = 1;
        a->status = best->now.status;
        snprintf(a->status_source, sizeof a->status_source, "%s",
                 best->source);
        a->distance_km = best->now.distance_km;
        a->distance_change_7d_km = a->distance_km - best->distance_7d_ago_km;
        a->distance_change_28d_km =
            a->distance_km - best->distance_28d_ago_km;
    }
    if (err == FW_OK) {
        err = strike_load(st, place, a->date_s, a->at_s, &a->strikes, d);
    }
    if (err == FW_OK) {
        err = alert_load(st, place, a->at_s, &a->alerts, d);
    }
    if (err == FW_OK) {
        err = border_distance(g, place, a, d);
    }
    if (err == FW_OK) {
        err = fw_displacement_at(st, place, a->at_s, &a->displacement, d);
    }
    if (err == FW_OK) {
        *out = *a;
    }
    free(a);
    return err;
}

/* ---- text -------------------------------------------------------------- */

/* "Kharkiv oblast", "Kyiv City", "Crimea": the region of iso in words. */
#define REGION_CAP 48
static const char *region_label(const char *iso, char buf[REGION_CAP]);

/* The season, and what no public data shows (issue 14). */
static void write_other_signals_text(const struct fw_assessment *a, FILE *f)
{
    fprintf(f, "\nOther signals:\n");
    fprintf(f, "  season: %s\n", fw_season_text(fw_season_at(a->date_s)));
    fprintf(f, "  not measured: troop numbers and massing near the front or "
               "the border;\n  no public data shows them, so silence here "
               "is not safety\n");
}

/* The outlook's sentences, under the alert hours. */
static void write_outlook_text(const struct fw_assessment *a, FILE *f)
{
    const struct fw_outlook *o = a->outlook;
    if (o == NULL) {
        return;
    }
    if (!o->has_outlook) {
        fprintf(f, "  no alert outlook: %s\n", o->why);
        return;
    }
    char at[21], region[REGION_CAP];
    fw_date_format_iso(o->at_s, at);
    for (int h = 0; h < FW_PANEL_N_HORIZONS; h++) {
        fprintf(f,
                "  chance of an air-raid alert in %s in the next %d "
                "hours: %.0f %%",
                region_label(o->oblast_iso, region), FW_PANEL_HORIZON_H[h],
                100 * o->p[h]);
        if (!isnan(o->usual[h])) {
            fprintf(f, ", usual for this hour: %.0f %%", 100 * o->usual[h]);
        }
        fprintf(f, "\n");
    }
    fprintf(f, "  (from %.10s %.5s UTC%s; %s model, docs/ALERTS.md)\n", at,
            at + 11, o->is_now ? ", under alert then" : "", o->kind);
}

static const char *region_label(const char *iso, char buf[REGION_CAP])
{
    const struct fw_oblast *o = fw_oblast_by_iso(iso);
    if (o == NULL) {
        return "an unknown oblast";
    }
    snprintf(buf, REGION_CAP, "%s%s", o->name_en,
             fw_oblast_is_oblast(o) ? " oblast" : "");
    return buf;
}

static void day(int64_t t, char buf[11]) { fw_date_format_day(t, buf); }

/* The data warnings and the parts set aside, after the answer. */
static void write_checks_text(const struct fw_assessment *a, FILE *f)
{
    char b[11];
    for (int i = 0; i < FW_GEO_N_SOURCES; i++) {
        const struct fw_source_assessment *sa = &a->sources[i];
        if (!sa->has_data || !sa->has_data_warning) {
            continue;
        }
        day(sa->snap.published_s, b);
        double change = sa->now.distance_km - sa->distance_7d_ago_km;
        fprintf(f,
                "DATA WARNING: on the %s map of %s the nearest occupied "
                "area is %.1f km %s than 7 days before (%.1f km, was "
                "%.1f km), which the %s map does not show (%.1f km): a "
                "data problem, not news",
                sa->source, b, fabs(change),
                change < 0 ? "closer" : "farther", sa->now.distance_km,
                sa->distance_7d_ago_km, sa->warning_other,
                sa->warning_other_km);
        if (a->has_status && strcmp(a->status_source, sa->source) != 0) {
            fprintf(f, "; the answer above comes from the %s map",
                    a->status_source);
        }
        fprintf(f, ".\n");
    }
    for (int i = 0; i < FW_GEO_N_SOURCES; i++) {
        const struct fw_source_assessment *sa = &a->sources[i];
        if (!sa->has_data || sa->n_set_aside == 0) {
            continue;
        }
        day(sa->snap.published_s, b);
        fprintf(f,
                "Set aside: %zu isolated occupied part%s on the %s map of "
                "%s, unconfirmed and not used:\n",
                sa->n_set_aside, sa->n_set_aside == 1 ? "" : "s", sa->source,
                b);
        size_t n = sa->n_set_aside < FW_ASSESS_MAX_SET_ASIDE
                       ? sa->n_set_aside
                       : FW_ASSESS_MAX_SET_ASIDE;
        for (size_t k = 0; k < n; k++) {
            const struct fw_set_aside *x = &sa->set_aside[k];
            fprintf(f,
                    "  %.1f km2 around %.4f N %.4f E, %.1f km from the "
                    "occupied area of the earlier maps, %.1f km from %s\n",
                    x->area_km2, x->lat_deg, x->lon_deg, x->gap_km,
                    x->distance_km, a->place.name);
        }
        if (sa->n_set_aside > n) {
            fprintf(f, "  and %zu smaller\n", sa->n_set_aside - n);
        }
        if (sa->set_aside_shown_by[0] != '\0') {
            fprintf(f,
                    "  The later %s map draws them: the answer above comes "
                    "from the %s map.\n",
                    sa->set_aside_shown_by, a->status_source);
        }
    }
}

/* The state border's line of the indicators. */
static void write_border_text(const struct fw_assessment *a, FILE *f)
{
    fprintf(f, "\nState border:\n");
    if (a->border_country[0] == '\0') {
        fprintf(f, "  unknown: no state border in the store (ingest a "
                   "country outline shapefile\n  and oblast boundaries)\n");
        return;
    }
    char with[32];
    snprintf(with, sizeof with, "with %s",
             strcmp(a->border_country, "RU") == 0 ? "Russia"
                                                  : a->border_country);
    fprintf(f, "  %-19s %7.1f km\n", with, a->distance_to_border_km);
    fprintf(f, "  %-19s not measured: the data has no outline of Belarus\n",
            "with Belarus");
}

enum fw_strikes_gap fw_assess_strikes_gap(const struct fw_strike_load *sl,
                                          int first, int n, int64_t *day_s)
{
    int64_t newest = 0, oldest = INT64_MAX;
    int any = 0, fresh = 0;
    for (int i = first; i < first + n; i++) {
        const struct fw_strike_source *s = &sl->sources[i];
        if (!s->has_data) {
            continue;
        }
        any = 1;
        newest = s->newest_s > newest ? s->newest_s : newest;
        if (!s->is_stale) {
            fresh = 1;
            oldest = s->oldest_s < oldest ? s->oldest_s : oldest;
        }
    }
    *day_s = 0;
    if (!any) {
        return FW_STRIKES_GAP_NO_DATA;
    }
    *day_s = fresh ? oldest : newest;
    return fresh ? FW_STRIKES_GAP_STARTS : FW_STRIKES_GAP_ENDED;
}

/* Why the counts of the strike sources [first, first + n) are unknown, in
 * words, what names their data ("incident data"). */
static void strikes_unknown_why(const struct fw_strike_load *sl, int first,
                                int n, const char *what, char *buf,
                                size_t cap)
{
    int64_t t;
    enum fw_strikes_gap gap = fw_assess_strikes_gap(sl, first, n, &t);
    char b[11];
    day(t, b);
    if (gap == FW_STRIKES_GAP_NO_DATA) {
        snprintf(buf, cap, "no %s up to this date", what);
    } else if (gap == FW_STRIKES_GAP_ENDED) {
        snprintf(buf, cap, "the %s ends on %s", what, b);
    } else {
        snprintf(buf, cap, "the %s starts on %s", what, b);
    }
}

/* ---- people leaving ------------------------------------------------------ */

/* Whole days from the day of t to the assessed day. */
static long long age_days(const struct fw_assessment *a, int64_t t)
{
    return (long long)((a->date_s - fw_date_floor_day(t)) / DAY);
}

/* A count of people with thousands separated: "463,000". */
static void people(double v, char *buf, size_t cap)
{
    long long n = llround(fabs(v));
    char digits[32];
    snprintf(digits, sizeof digits, "%lld", n);
    size_t len = strlen(digits), o = 0;
    if (v < 0 && o + 1 < cap) {
        buf[o++] = '-';
    }
    for (size_t i = 0; i < len && o + 2 < cap; i++) {
        if (i > 0 && (len - i) % 3 == 0) {
            buf[o++] = ',';
        }
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
}

/* Why IOM's figures for the place's oblast are unknown, or "" when they
 * are known. */
static void iom_note(const struct fw_assessment *a, char *buf, size_t cap)
{
    const struct fw_displacement *x = &a->displacement;
    char b[11];
    buf[0] = '\0';
    if (a->place.oblast_iso[0] == '\0') {
        snprintf(buf, cap, "the place has no oblast");
    } else if (x->oblast.first_s == 0) {
        snprintf(buf, cap, "no IOM DTM estimates in the store");
    } else if (!x->oblast.has_round) {
        day(x->oblast.first_s, b);
        if (x->oblast.first_s > a->at_s) {
            snprintf(buf, cap,
                     "no IOM DTM round reported by this date (the first in "
                     "the store: %s)",
                     b);
        } else {
            snprintf(buf, cap, "IOM DTM reports no figures for this oblast");
        }
    } else if (isnan(x->oblast.idps) && isnan(x->oblast.returnees)) {
        snprintf(buf, cap,
                 "IOM DTM gives no estimate for this oblast in round %d",
                 x->oblast.round);
    }
}

/* Why the place has no monitoring visit, or "" when it has one. */
static void visit_note(const struct fw_assessment *a, char *buf, size_t cap)
{
    const struct fw_displacement *x = &a->displacement;
    const struct fw_settlement_status *v = &x->settlement;
    char b[11];
    buf[0] = '\0';
    if (v->has_visit) {
        return;
    }
    if (v->is_monitored) {
        day(v->first_s, b);
        snprintf(buf, cap, "first visited by the monitors on %s", b);
    } else if (x->slac_newest_s == 0 && !v->is_monitored) {
        snprintf(buf, cap,
                 "no front-line settlement monitoring in the store up to "
                 "this date");
    } else {
        snprintf(buf, cap,
                 "not one of the settlements the front-line monitoring "
                 "visited (or not matched to it by name)");
    }
}

static const char *answer_text(const char *v)
{
    return fw_displacement_answer_text(v, FW_LANG_EN);
}

/* The people-leaving block, under the strikes. */
static void write_displacement_text(const struct fw_assessment *a, FILE *f)
{
    const struct fw_displacement *x = &a->displacement;
    const struct fw_displacement_oblast *o = &x->oblast;
    char note[160], b[11], n1[32], n2[32], region[REGION_CAP];
    fprintf(f, "\nPeople leaving:\n");
    iom_note(a, note, sizeof note);
    if (o->has_round) {
        day(o->reported_s, b);
        fprintf(f, "  %s, IOM DTM round %d of %s%s:\n",
                region_label(a->place.oblast_iso, region), o->round, b,
                o->is_stale ? " (STALE)" : "");
    }
    if (note[0] != '\0') {
        fprintf(f, "  %s%s\n", o->has_round ? "  " : "IOM estimates unknown: ",
                note);
    } else {
        if (!isnan(o->idps)) {
            people(o->idps, n1, sizeof n1);
            fprintf(f, "    %s internally displaced people present", n1);
            if (!isnan(o->idps_change_prev_round)) {
                people(o->idps_change_prev_round, n2, sizeof n2);
                fprintf(f, " (%s%s since round %d)",
                        o->idps_change_prev_round > 0 ? "+" : "", n2,
                        o->prev_round);
            }
            fprintf(f, "\n");
        }
        if (!isnan(o->returnees)) {
            people(o->returnees, n1, sizeof n1);
            fprintf(f, "    %s returnees present\n", n1);
        }
    }
    const struct fw_settlement_status *v = &x->settlement;
    visit_note(a, note, sizeof note);
    if (!v->has_visit) {
        fprintf(f, "  front-line monitoring (SLAC): %s\n", note);
        return;
    }
    day(v->visit_s, b);
    fprintf(f,
            "  front-line monitoring (SLAC) of %s, visit of %s (%lld days "
            "ago%s):\n",
            v->settlement, b, age_days(a, v->visit_s),
            strcmp(v->match, "spelling") == 0 ? "; matched by a near spelling"
                                              : "");
    fprintf(f, "    civilians present: %s (%s)\n",
            answer_text(v->civilians_present), answer_text(v->civilians_number));
    fprintf(f, "    change in civilians: %s%s%s\n", answer_text(v->civ_change),
            v->civ_change_type[0] != '\0' ? ", " : "",
            v->civ_change_type[0] != '\0' ? answer_text(v->civ_change_type)
                                          : "");
    fprintf(f, "    people moving out now: %s%s%s\n",
            answer_text(v->movement_now),
            v->movement_direction[0] != '\0' ? ", " : "",
            v->movement_direction[0] != '\0'
                ? answer_text(v->movement_direction)
                : "");
    fprintf(f, "    front line as the monitors saw it: %s\n",
            answer_text(v->frontline_distance));
}

/* The strikes block, under the alert hours: strikes within 25 km and the
 * attack waves aimed at the oblast. */
static void write_strikes_text(const struct fw_assessment *a, FILE *f)
{
    const struct fw_strike_load *sl = &a->strikes;
    char why[128];
    fprintf(f, "\nStrikes within %.0f km (geocoded incidents",
            FW_ASSESS_STRIKE_RADIUS_KM);
    const char *sep = ": ";
    for (int i = 0; i < FW_INCIDENTS_N_SOURCES; i++) {
        if (sl->sources[i].has_data && !sl->sources[i].is_stale) {
            fprintf(f, "%s%s", sep, sl->sources[i].name);
            sep = " and ";
        }
    }
    fprintf(f, "):\n");
    if (isnan(sl->n_7d) && isnan(sl->n_30d)) {
        strikes_unknown_why(sl, 0, FW_INCIDENTS_N_SOURCES, "incident data",
                            why, sizeof why);
        fprintf(f, "  unknown: %s\n", why);
    } else {
        /* the sources reach the date: what is unknown starts before them */
        strikes_unknown_why(sl, 0, FW_INCIDENTS_N_SOURCES, "incident data",
                            why, sizeof why);
        if (isnan(sl->n_7d)) {
            fprintf(f, "  last 7 days   unknown (%s)\n", why);
        } else {
            fprintf(f, "  last 7 days   %6.0f\n", sl->n_7d);
        }
        if (isnan(sl->n_30d)) {
            fprintf(f, "  last 30 days  unknown (%s)\n", why);
        } else {
            fprintf(f, "  last 30 days  %6.0f", sl->n_30d);
            if (isnan(sl->n_prev90d)) {
                fprintf(f, "   previous 90 days: unknown (%s)\n", why);
            } else {
                fprintf(f, "   previous 90 days: %.1f per 30 days",
                        sl->n_prev90d / 3.0);
                if (!isnan(sl->ratio)) {
                    fprintf(f, " (now %.1fx)", sl->ratio);
                }
                fprintf(f, "\n");
            }
        }
    }
    char region[REGION_CAP];
    fprintf(f, "  attack waves aimed at %s, last 30 days: ",
            region_label(a->place.oblast_iso, region));
    if (isnan(sl->waves_oblast_30d)) {
        strikes_unknown_why(sl, FW_INCIDENTS_N_SOURCES, 1,
                            "missile-table data", why, sizeof why);
        fprintf(f, "unknown (%s)\n",
                fw_events_region_of(a->place.oblast_iso) == NULL
                    ? "the place has no oblast"
                    : why);
    } else {
        fprintf(f, "%.0f (missile table)\n", sl->waves_oblast_30d);
    }
}

static void percent(double p, char *buf, size_t cap)
{
    if (p < 0.001) {
        snprintf(buf, cap, "under 0.1 %%");
    } else {
        snprintf(buf, cap, "%.1f %%", 100.0 * p);
    }
}

static void write_forecast_text(const struct fw_assessment *a, FILE *f)
{
    const struct fw_place_forecast *pf = a->forecast;
    fprintf(f, "\nChance of coming under occupation");
    if (a->model == NULL) {
        fprintf(f, ": not computed, no model file.\n"
                   "  Make one from the full map history: frontwatch train "
                   "--until YYYY-MM-DD\n"
                   "  --out models/occupation.json (docs/FORECAST.md).\n");
        return;
    }
    fprintf(f, " (model trained on labels to %s):\n", a->model->until);
    if (pf == NULL || pf->state == FW_FORECAST_NO_MAP) {
        fprintf(f, "  none: no front-line map within %d days of the date.\n",
                FW_DATASET_MAX_MAP_AGE_DAYS);
        return;
    }
    if (pf->state == FW_FORECAST_OCCUPIED) {
        fprintf(f, "  none: the place is occupied on the newest map (%s).\n",
                pf->series);
        return;
    }
    char b[11];
    day(pf->map_s, b);
    for (int h = 0; h < FW_N_HORIZONS; h++) {
        char pc[32];
        percent(pf->p[h], pc, sizeof pc);
        fprintf(f, "  within %2d days: %s", FW_HORIZON_DAYS[h], pc);
        const struct fw_forecast_skill *sk = &a->model->skill[h];
        if (sk->has) {
            fprintf(f, "   (back-test %s..%s: Brier skill %+.2f vs "
                       "distance-only, %+.2f vs base rate; reliability "
                       "%d/%d bins)",
                    sk->window_from, sk->window_to, sk->bss_distance,
                    sk->bss_climatology,
                    sk->rel_consistent_eff >= 0 ? sk->rel_consistent_eff
                                                : sk->rel_consistent,
                    sk->rel_nonempty);
        } else {
            fprintf(f, "   (not back-tested)");
        }
        fprintf(f, "\n");
        for (size_t r = 0; r < pf->n_reasons[h]; r++) {
            const struct fw_reason *rs = &pf->reasons[h][r];
            fprintf(f, "      %s %s\n",
                    rs->contribution > 0 ? "raises it:" : "lowers it:",
                    rs->text);
        }
    }
    fprintf(f, "  from the %s map of %s, against the average place.\n",
            pf->series, b);
}

void fw_assess_write_text(const struct fw_assessment *a, FILE *f)
{
    char date[11], b1[11], b2[11];
    day(a->date_s, date);
    const struct fw_place *p = &a->place;
    fprintf(f, "%s", p->name);
    if (p->name_local[0] != '\0' && strcmp(p->name_local, p->name) != 0) {
        fprintf(f, " (%s)", p->name_local);
    }
    char region[REGION_CAP];
    fprintf(f, ", %s, %.4f N %.4f E", region_label(p->oblast_iso, region),
            p->lat_deg, p->lon_deg);
    if (p->population >= 0) {
        fprintf(f, ", population %ld", p->population);
    }
    fprintf(f, "\nAssessment for %s\n\n", date);

    fw_summary_write(a, FW_LANG_EN, 0, f);
    fprintf(f, "\n");
    if (a->has_status) {
        for (int i = 0; i < FW_GEO_N_SOURCES; i++) {
            const struct fw_source_assessment *sa = &a->sources[i];
            if (sa->has_data && sa->now.status != a->status) {
                fprintf(f, "Sources disagree: the %s map says %s.\n",
                        sa->source, fw_status_name(sa->now.status));
            }
        }
        for (int i = 0; i < FW_GEO_N_SOURCES; i++) {
            const struct fw_source_assessment *sa = &a->sources[i];
            if (sa->has_data && sa->is_stale &&
                strcmp(sa->source, a->status_source) == 0) {
                char b[11];
                day(sa->newest_s, b);
                fprintf(f,
                        "STALE: this is the %s map of %s, %lld days before "
                        "%s; 'frontwatch update' fetches newer maps.\n",
                        sa->source, b,
                        (long long)((a->at_s - sa->newest_s) / DAY), date);
            }
        }
    }
    write_checks_text(a, f);

    write_forecast_text(a, f);

    fprintf(f, "\nControl, per source (newest map at or before the date):\n");
    for (int i = 0; i < FW_GEO_N_SOURCES; i++) {
        const struct fw_source_assessment *sa = &a->sources[i];
        fprintf(f, "  %-19s ", sa->source);
        if (!sa->has_data) {
            fprintf(f, "no map at or before %s\n", date);
            continue;
        }
        day(sa->snap.published_s, b1);
        day(sa->snap.as_of_s, b2);
        fprintf(f, "%-21s %7.1f km", fw_status_name(sa->now.status),
                sa->now.distance_km);
        double c7 = sa->now.distance_km - sa->distance_7d_ago_km;
        double c28 = sa->now.distance_km - sa->distance_28d_ago_km;
        if (!isnan(c7)) {
            fprintf(f, "  7 d: %+.1f km", c7);
        }
        if (!isnan(c28)) {
            fprintf(f, "  28 d: %+.1f km", c28);
        }
        fprintf(f, "  (map of %s", b1);
        if (strcmp(b1, b2) != 0) {
            fprintf(f, ", shows %s", b2);
        }
        fprintf(f, ")\n");
    }
    if (!isnan(a->contested_km2_25km)) {
        fprintf(f, "  contested area within 25 km: %.1f km2 (DeepState)\n",
                a->contested_km2_25km);
    }
    write_border_text(a, f);

    fprintf(f,
            "\nAir-raid alerts in %s (oblast, raion and hromada "
            "alerts):\n",
            region_label(p->oblast_iso, region));
    if (!a->alerts.has_data && a->alerts.newest_s > 0) {
        day(a->alerts.newest_s, b1);
        fprintf(f, "  unknown: the alert data ends on %s\n", b1);
    } else if (!a->alerts.has_data) {
        fprintf(f, "  unknown: no alert data for this oblast\n");
    } else {
        double base30 = a->alerts.hours_prev90d / 3.0;
        fprintf(f, "  last 7 days   %6.1f h\n", a->alerts.hours_7d);
        fprintf(f, "  last 30 days  %6.1f h   previous 90 days: %.1f h per "
                   "30 days",
                a->alerts.hours_30d, base30);
        if (base30 > 0) {
            fprintf(f, " (now %.1fx)", a->alerts.hours_30d / base30);
        }
        fprintf(f, "\n");
    }
    write_outlook_text(a, f);
    write_strikes_text(a, f);
    write_displacement_text(a, f);
    write_other_signals_text(a, f);

    fprintf(f, "\nData age on %s:\n", date);
    for (int i = 0; i < FW_GEO_N_SOURCES; i++) {
        const struct fw_source_assessment *sa = &a->sources[i];
        if (!sa->has_data) {
            continue;
        }
        day(sa->newest_s, b1);
        fprintf(f, "  %-19s newest %s (%lld days)%s\n", sa->source, b1,
                (long long)((a->at_s - sa->newest_s) / DAY),
                sa->is_stale ? "  STALE" : "");
    }
    if (a->alerts.newest_s > 0) {
        day(a->alerts.newest_s, b1);
        fprintf(f, "  %-19s newest %s (%lld days)%s\n", "alerts", b1,
                (long long)((a->at_s - a->alerts.newest_s) / DAY),
                a->alerts.is_stale ? "  STALE" : "");
    }
    for (int i = 0; i < FW_ASSESS_N_STRIKE_SOURCES; i++) {
        const struct fw_strike_source *s = &a->strikes.sources[i];
        if (s->has_data) {
            day(s->newest_s, b1);
            int64_t age_s = a->date_s - fw_date_floor_day(s->newest_s);
            fprintf(f, "  %-19s newest %s (%lld days)%s\n",
                    i == FW_INCIDENTS_N_SOURCES ? "missile table" : s->name,
                    b1, (long long)(age_s / DAY),
                    s->is_stale ? "  STALE" : "");
        }
    }
    const struct fw_displacement *x = &a->displacement;
    if (x->iom_newest_s > 0) {
        day(x->iom_newest_s, b1);
        fprintf(f, "  %-19s newest %s (%lld days)%s\n", "iom_dtm", b1,
                age_days(a, x->iom_newest_s), x->iom_is_stale ? "  STALE" : "");
    }
    if (x->slac_newest_s > 0) {
        day(x->slac_newest_s, b1);
        fprintf(f, "  %-19s newest %s (%lld days)%s\n", "slac_monitoring", b1,
                age_days(a, x->slac_newest_s),
                x->slac_is_stale ? "  STALE" : "");
    }
}

/* ---- JSON -------------------------------------------------------------- */

static void add_num_or_null(cJSON *o, const char *k, double v)
{
    if (isnan(v) || isinf(v)) {
        cJSON_AddNullToObject(o, k);
    } else {
        cJSON_AddNumberToObject(o, k, round(v * 1000.0) / 1000.0);
    }
}

static void add_day(cJSON *o, const char *k, int64_t t)
{
    char b[11];
    fw_date_format_day(t, b);
    cJSON_AddStringToObject(o, k, b);
}

/* distance_to_border_km, to 0.1 km (the border line is known to a few
 * hundred metres: border.h), and border_country; null without data. */
static void add_border_json(cJSON *root, const struct fw_assessment *a)
{
    if (a->border_country[0] == '\0') {
        cJSON_AddNullToObject(root, "distance_to_border_km");
        cJSON_AddNullToObject(root, "border_country");
        return;
    }
    add_num_or_null(root, "distance_to_border_km",
                    round(a->distance_to_border_km * 10.0) / 10.0);
    cJSON_AddStringToObject(root, "border_country", a->border_country);
}

/* strikes_25km_7d, strikes_25km_30d, strikes_25km_ratio and
 * strike_waves_oblast_30d: null where unknown (assess.h). */
static void add_strikes_json(cJSON *root, const struct fw_assessment *a)
{
    const struct fw_strike_load *sl = &a->strikes;
    add_num_or_null(root, "strikes_25km_7d", sl->n_7d);
    add_num_or_null(root, "strikes_25km_30d", sl->n_30d);
    add_num_or_null(root, "strikes_25km_ratio", sl->ratio);
    add_num_or_null(root, "strike_waves_oblast_30d", sl->waves_oblast_30d);
}

/* The strike sources' entries of "sources", like the alerts' one. */
static void add_strike_sources_json(cJSON *srcs, const struct fw_assessment *a)
{
    for (int i = 0; i < FW_ASSESS_N_STRIKE_SOURCES; i++) {
        const struct fw_strike_source *s = &a->strikes.sources[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", s->name);
        if (s->has_data) {
            add_day(o, "newest", s->newest_s);
            cJSON_AddBoolToObject(o, "stale", s->is_stale);
        } else {
            cJSON_AddNullToObject(o, "newest");
        }
        cJSON_AddItemToArray(srcs, o);
    }
}

static void add_text_or_null(cJSON *o, const char *k, const char *v)
{
    if (v[0] != '\0') {
        cJSON_AddStringToObject(o, k, v);
    } else {
        cJSON_AddNullToObject(o, k);
    }
}

/* displacement: IOM's oblast estimate and the newest monitoring visit,
 * each null with a note saying why (docs/CLI.md). */
static void add_displacement_json(cJSON *root, const struct fw_assessment *a)
{
    const struct fw_displacement *x = &a->displacement;
    const struct fw_displacement_oblast *o = &x->oblast;
    const struct fw_settlement_status *v = &x->settlement;
    char note[160];
    cJSON *dj = cJSON_AddObjectToObject(root, "displacement");
    if (o->has_round) {
        cJSON *oj = cJSON_AddObjectToObject(dj, "oblast");
        cJSON_AddNumberToObject(oj, "round", o->round);
        add_day(oj, "date", o->reported_s);
        add_num_or_null(oj, "idps_present", o->idps);
        add_num_or_null(oj, "returnees_present", o->returnees);
        if (o->prev_round > 0) {
            cJSON_AddNumberToObject(oj, "prev_round", o->prev_round);
        } else {
            cJSON_AddNullToObject(oj, "prev_round");
        }
        add_num_or_null(oj, "idps_change_prev_round",
                        o->idps_change_prev_round);
        cJSON_AddNumberToObject(oj, "age_days",
                                (double)age_days(a, o->reported_s));
        cJSON_AddBoolToObject(oj, "stale", o->is_stale);
    } else {
        cJSON_AddNullToObject(dj, "oblast");
    }
    iom_note(a, note, sizeof note);
    add_text_or_null(dj, "oblast_note", note);
    if (v->has_visit) {
        cJSON *sj = cJSON_AddObjectToObject(dj, "settlement");
        add_day(sj, "date", v->visit_s);
        cJSON_AddStringToObject(sj, "match", v->settlement);
        cJSON_AddStringToObject(sj, "match_by", v->match);
        add_text_or_null(sj, "civilians_present", v->civilians_present);
        add_text_or_null(sj, "civilians_number", v->civilians_number);
        add_text_or_null(sj, "civ_change", v->civ_change);
        add_text_or_null(sj, "civ_change_type", v->civ_change_type);
        add_text_or_null(sj, "movement_now", v->movement_now);
        add_text_or_null(sj, "movement_direction", v->movement_direction);
        add_text_or_null(sj, "frontline_distance", v->frontline_distance);
        cJSON_AddNumberToObject(sj, "visits", (double)v->n_visits);
        cJSON_AddNumberToObject(sj, "age_days",
                                (double)age_days(a, v->visit_s));
    } else {
        cJSON_AddNullToObject(dj, "settlement");
    }
    visit_note(a, note, sizeof note);
    add_text_or_null(dj, "settlement_note", note);
}

/* The people-leaving sources' entries of "sources". */
static void add_displacement_sources_json(cJSON *srcs,
                                          const struct fw_assessment *a)
{
    const struct fw_displacement *x = &a->displacement;
    const char *names[2] = {"iom_dtm", "slac_monitoring"};
    int64_t newest[2] = {x->iom_newest_s, x->slac_newest_s};
    int stale[2] = {x->iom_is_stale, x->slac_is_stale};
    for (int i = 0; i < 2; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", names[i]);
        if (newest[i] > 0) {
            add_day(o, "newest", newest[i]);
            cJSON_AddBoolToObject(o, "stale", stale[i]);
        } else {
            cJSON_AddNullToObject(o, "newest");
        }
        cJSON_AddItemToArray(srcs, o);
    }
}

/* data_warnings and set_aside (docs/decisions/0006). */
static void add_checks_json(cJSON *root, const struct fw_assessment *a)
{
    cJSON *ws = cJSON_AddArrayToObject(root, "data_warnings");
    cJSON *xs = cJSON_AddArrayToObject(root, "set_aside");
    for (int i = 0; i < FW_GEO_N_SOURCES; i++) {
        const struct fw_source_assessment *sa = &a->sources[i];
        if (!sa->has_data) {
            continue;
        }
        if (sa->has_data_warning) {
            cJSON *w = cJSON_CreateObject();
            cJSON_AddStringToObject(w, "source", sa->source);
            add_day(w, "map", sa->snap.published_s);
            add_num_or_null(w, "distance_km", sa->now.distance_km);
            add_num_or_null(w, "distance_7d_ago_km", sa->distance_7d_ago_km);
            add_num_or_null(w, "change_7d_km",
                            sa->now.distance_km - sa->distance_7d_ago_km);
            cJSON_AddStringToObject(w, "other_source", sa->warning_other);
            add_num_or_null(w, "other_distance_km", sa->warning_other_km);
            cJSON_AddItemToArray(ws, w);
        }
        for (size_t k = 0;
             k < sa->n_set_aside && k < FW_ASSESS_MAX_SET_ASIDE; k++) {
            const struct fw_set_aside *x = &sa->set_aside[k];
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "source", sa->source);
            add_day(o, "map", sa->snap.published_s);
            add_num_or_null(o, "area_km2", x->area_km2);
            add_num_or_null(o, "gap_km", x->gap_km);
            add_num_or_null(o, "lat", x->lat_deg);
            add_num_or_null(o, "lon", x->lon_deg);
            add_num_or_null(o, "distance_km", x->distance_km);
            cJSON_AddItemToArray(xs, o);
        }
    }
}

/* p_alert_6h, p_alert_24h (null without an outlook) and alert_outlook
 * (null without an alert model). */
static void add_outlook_json(cJSON *root, const struct fw_assessment *a)
{
    const struct fw_outlook *o = a->outlook;
    int has = o != NULL && o->has_outlook;
    add_num_or_null(root, "p_alert_6h", has ? o->p[0] : NAN);
    add_num_or_null(root, "p_alert_24h", has ? o->p[1] : NAN);
    if (o == NULL) {
        cJSON_AddNullToObject(root, "alert_outlook");
        return;
    }
    cJSON *x = cJSON_AddObjectToObject(root, "alert_outlook");
    char at[21];
    fw_date_format_iso(o->at_s, at);
    cJSON_AddStringToObject(x, "at", at);
    add_num_or_null(x, "usual_6h", o->usual[0]);
    add_num_or_null(x, "usual_24h", o->usual[1]);
    if (has) {
        cJSON_AddBoolToObject(x, "under_alert_now", o->is_now);
        cJSON_AddNullToObject(x, "withheld");
    } else {
        cJSON_AddNullToObject(x, "under_alert_now");
        cJSON_AddStringToObject(x, "withheld", o->why);
    }
    cJSON_AddStringToObject(x, "model", o->kind);
}

static void add_forecast_json(cJSON *root, const struct fw_assessment *a)
{
    const struct fw_place_forecast *pf = a->forecast;
    int ok = a->model != NULL && pf != NULL && pf->state == FW_FORECAST_OK;
    for (int h = 0; h < FW_N_HORIZONS; h++) {
        char k[32];
        snprintf(k, sizeof k, "p_occupied_%dd", FW_HORIZON_DAYS[h]);
        add_num_or_null(root, k, ok ? pf->p[h] : NAN);
    }
    cJSON *fc = cJSON_AddObjectToObject(root, "forecast");
    if (a->model == NULL) {
        cJSON_AddStringToObject(fc, "state", "no_model");
        return;
    }
    cJSON_AddStringToObject(fc, "state",
                            pf == NULL || pf->state == FW_FORECAST_NO_MAP
                                ? "no_map"
                            : pf->state == FW_FORECAST_OCCUPIED ? "occupied"
                                                                : "ok");
    cJSON_AddStringToObject(fc, "model_trained_until", a->model->until);
    cJSON_AddStringToObject(fc, "model_data_sha256", a->model->data_sha256);
    if (pf != NULL && pf->state != FW_FORECAST_NO_MAP) {
        cJSON_AddStringToObject(fc, "series", pf->series);
        add_day(fc, "map", pf->map_s);
    }
    cJSON *hs = cJSON_AddArrayToObject(fc, "horizons");
    for (int h = 0; h < FW_N_HORIZONS; h++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "days", FW_HORIZON_DAYS[h]);
        add_num_or_null(o, "p", ok ? pf->p[h] : NAN);
        cJSON *rs = cJSON_AddArrayToObject(o, "reasons");
        for (size_t r = 0; ok && r < pf->n_reasons[h]; r++) {
            cJSON *x = cJSON_CreateObject();
            cJSON_AddStringToObject(x, "feature",
                                    FW_FEATURE_NAMES[pf->reasons[h][r].feature]);
            cJSON_AddNumberToObject(x, "log_odds",
                                    pf->reasons[h][r].contribution);
            cJSON_AddStringToObject(x, "text", pf->reasons[h][r].text);
            cJSON_AddItemToArray(rs, x);
        }
        const struct fw_forecast_skill *sk = &a->model->skill[h];
        if (sk->has) {
            cJSON *b = cJSON_AddObjectToObject(o, "backtest");
            cJSON_AddStringToObject(b, "window_from", sk->window_from);
            cJSON_AddStringToObject(b, "window_to", sk->window_to);
            add_num_or_null(b, "brier", sk->brier);
            add_num_or_null(b, "bss_climatology", sk->bss_climatology);
            add_num_or_null(b, "bss_distance", sk->bss_distance);
            add_num_or_null(b, "auroc", sk->auroc);
            add_num_or_null(b, "ap", sk->ap);
            add_num_or_null(b, "ap_distance", sk->ap_distance);
            if (sk->rel_consistent_eff >= 0) {
                cJSON_AddNumberToObject(b, "reliability_bins_consistent_eff",
                                        sk->rel_consistent_eff);
            } else {
                cJSON_AddNullToObject(b, "reliability_bins_consistent_eff");
            }
            cJSON_AddNumberToObject(b, "reliability_bins_consistent",
                                    sk->rel_consistent);
            cJSON_AddNumberToObject(b, "reliability_bins", sk->rel_nonempty);
        } else {
            cJSON_AddNullToObject(o, "backtest");
        }
        cJSON_AddItemToArray(hs, o);
    }
}

void fw_assess_write_json(const struct fw_assessment *a, FILE *f)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *pl = cJSON_AddObjectToObject(root, "place");
    const struct fw_place *p = &a->place;
    cJSON_AddNumberToObject(pl, "id", (double)p->id);
    cJSON_AddStringToObject(pl, "name", p->name);
    if (p->name_local[0] != '\0') {
        cJSON_AddStringToObject(pl, "name_local", p->name_local);
    }
    const struct fw_oblast *o = fw_oblast_by_iso(p->oblast_iso);
    if (o != NULL) {
        cJSON_AddStringToObject(pl, "oblast", o->name_en);
        cJSON_AddStringToObject(pl, "oblast_iso", o->iso);
    } else {
        cJSON_AddNullToObject(pl, "oblast");
        cJSON_AddNullToObject(pl, "oblast_iso");
    }
    cJSON_AddNumberToObject(pl, "lat", p->lat_deg);
    cJSON_AddNumberToObject(pl, "lon", p->lon_deg);
    if (p->population >= 0) {
        cJSON_AddNumberToObject(pl, "population", (double)p->population);
    } else {
        cJSON_AddNullToObject(pl, "population");
    }
    add_day(root, "date", a->date_s);
    if (a->has_status) {
        cJSON_AddStringToObject(root, "status", fw_status_name(a->status));
        cJSON_AddStringToObject(root, "status_source", a->status_source);
    } else {
        cJSON_AddNullToObject(root, "status");
        cJSON_AddNullToObject(root, "status_source");
    }
    cJSON *sum = cJSON_AddObjectToObject(root, "summary");
    for (int l = 0; l < FW_N_LANGS; l++) {
        char buf[1024];
        fw_summary_format(a, (enum fw_lang)l, 1, buf, sizeof buf);
        cJSON_AddStringToObject(sum, fw_lang_code((enum fw_lang)l), buf);
    }
    cJSON *sbs = cJSON_AddObjectToObject(root, "status_by_source");
    for (int i = 0; i < FW_GEO_N_SOURCES; i++) {
        const struct fw_source_assessment *sa = &a->sources[i];
        if (sa->has_data) {
            cJSON_AddStringToObject(sbs, sa->source,
                                    fw_status_name(sa->now.status));
        } else {
            cJSON_AddNullToObject(sbs, sa->source);
        }
    }
    add_num_or_null(root, "distance_km", a->distance_km);
    add_num_or_null(root, "distance_change_7d_km", a->distance_change_7d_km);
    add_num_or_null(root, "distance_change_28d_km",
                    a->distance_change_28d_km);
    add_num_or_null(root, "contested_km2_25km", a->contested_km2_25km);
    add_border_json(root, a);
    add_checks_json(root, a);
    if (a->alerts.has_data) {
        add_num_or_null(root, "alert_hours_7d", a->alerts.hours_7d);
        add_num_or_null(root, "alert_hours_30d", a->alerts.hours_30d);
        add_num_or_null(root, "alert_hours_prev90d",
                        a->alerts.hours_prev90d);
    } else {
        cJSON_AddNullToObject(root, "alert_hours_7d");
        cJSON_AddNullToObject(root, "alert_hours_30d");
        cJSON_AddNullToObject(root, "alert_hours_prev90d");
    }
    add_strikes_json(root, a);
    add_displacement_json(root, a);
    add_outlook_json(root, a);
    cJSON_AddStringToObject(root, "season",
                            fw_season_name(fw_season_at(a->date_s)));
    cJSON *nm = cJSON_AddArrayToObject(root, "not_measured");
    cJSON_AddItemToArray(nm, cJSON_CreateString("troops"));
    add_forecast_json(root, a);
    cJSON *srcs = cJSON_AddArrayToObject(root, "sources");
    for (int i = 0; i < FW_GEO_N_SOURCES; i++) {
        const struct fw_source_assessment *sa = &a->sources[i];
        cJSON *s = cJSON_CreateObject();
        cJSON_AddStringToObject(s, "name", sa->source);
        if (sa->has_data) {
            add_day(s, "newest", sa->newest_s);
            add_day(s, "shows", sa->snap.as_of_s);
            cJSON_AddStringToObject(s, "status",
                                    fw_status_name(sa->now.status));
            add_num_or_null(s, "distance_km", sa->now.distance_km);
            cJSON_AddNumberToObject(s, "nearest_lat",
                                    sa->now.nearest_lat_deg);
            cJSON_AddNumberToObject(s, "nearest_lon",
                                    sa->now.nearest_lon_deg);
            add_num_or_null(s, "distance_7d_ago_km", sa->distance_7d_ago_km);
            add_num_or_null(s, "distance_28d_ago_km",
                            sa->distance_28d_ago_km);
            cJSON_AddBoolToObject(s, "stale", sa->is_stale);
            cJSON_AddNumberToObject(s, "set_aside", (double)sa->n_set_aside);
            cJSON_AddBoolToObject(s, "data_warning", sa->has_data_warning);
            if (sa->set_aside_shown_by[0] != '\0') {
                cJSON_AddStringToObject(s, "set_aside_shown_by",
                                        sa->set_aside_shown_by);
            } else {
                cJSON_AddNullToObject(s, "set_aside_shown_by");
            }
        } else {
            cJSON_AddNullToObject(s, "newest");
        }
        cJSON_AddItemToArray(srcs, s);
    }
    cJSON *al = cJSON_CreateObject();
    cJSON_AddStringToObject(al, "name", "alerts");
    if (a->alerts.newest_s > 0) {
        add_day(al, "newest", a->alerts.newest_s);
        cJSON_AddBoolToObject(al, "stale", a->alerts.is_stale);
    } else {
        cJSON_AddNullToObject(al, "newest");
    }
    cJSON_AddItemToArray(srcs, al);
    add_strike_sources_json(srcs, a);
    add_displacement_sources_json(srcs, a);
    char *txt = cJSON_PrintUnformatted(root);
    if (txt != NULL) {
        fprintf(f, "%s\n", txt);
    }
    cJSON_free(txt);
    cJSON_Delete(root);
}
