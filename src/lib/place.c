/*
 * place.c - place lookup by name key, near names and position (place.h).
 */
#include "frontwatch/place.h"

#include <ctype.h>
#include <geodesic.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontwatch/oblast.h"
#include "frontwatch/text.h"

#define DEG_TO_RAD (3.14159265358979323846 / 180.0)

/* Columns of a canonical place: KSE rows merged into a GeoNames row lend
 * it their Ukrainian name and raion. */
#define PLACE_COLUMNS                                                      \
    "p.id, p.name, p.source, p.lat, p.lon, p.population, p.oblast_iso,"    \
    " coalesce(p.raion, (SELECT k.raion FROM place k"                      \
    "   WHERE k.merged_into = p.id LIMIT 1)),"                             \
    " CASE WHEN p.source = 'kse' THEN p.name ELSE (SELECT k.name FROM"     \
    "   place k WHERE k.merged_into = p.id LIMIT 1) END"

static void copy_col(sqlite3_stmt *s, int i, char *dst, size_t dst_len)
{
    const unsigned char *v = sqlite3_column_text(s, i);
    snprintf(dst, dst_len, "%s", v != NULL ? (const char *)v : "");
}

/* Latin display name for a place known only by its Ukrainian name. */
static void romanize(const char *uk, char *out, size_t out_len)
{
    if (fw_text_key(uk, out, out_len) != FW_OK) {
        snprintf(out, out_len, "%s", uk);
        return;
    }
    int start = 1;
    for (char *c = out; *c; c++) {
        if (start && islower((unsigned char)*c)) {
            *c = (char)toupper((unsigned char)*c);
        }
        start = *c == ' ';
    }
}

static void read_place(sqlite3_stmt *s, struct fw_place *p)
{
    memset(p, 0, sizeof *p);
    p->id = sqlite3_column_int64(s, 0);
    copy_col(s, 2, p->source, sizeof p->source);
    if (strcmp(p->source, "kse") == 0) {
        char uk[128];
        copy_col(s, 1, uk, sizeof uk);
        romanize(uk, p->name, sizeof p->name);
    } else {
        copy_col(s, 1, p->name, sizeof p->name);
    }
    p->lat_deg = sqlite3_column_double(s, 3);
    p->lon_deg = sqlite3_column_double(s, 4);
    p->population = sqlite3_column_type(s, 5) == SQLITE_NULL
                        ? -1
                        : (long)sqlite3_column_int64(s, 5);
    copy_col(s, 6, p->oblast_iso, sizeof p->oblast_iso);
    copy_col(s, 7, p->raion, sizeof p->raion);
    copy_col(s, 8, p->name_local, sizeof p->name_local);
}

static fw_err sql_err(fw_store *st, struct fw_diag *d)
{
    return fw_diag_set(d, FW_ESQL, 0, 0, "%s",
                       sqlite3_errmsg(fw_store_db(st)));
}

/* Runs s (bound by the caller) and collects its places. */
static fw_err collect(fw_store *st, sqlite3_stmt *s, struct fw_place **out,
                      size_t *n_out, struct fw_diag *d)
{
    struct fw_place *v = NULL;
    size_t n = 0, cap = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 8;
            struct fw_place *nv = realloc(v, cap * sizeof *nv);
            if (nv == NULL) {
                free(v);
                return FW_ENOMEM;
            }
            v = nv;
        }
        read_place(s, &v[n++]);
    }
    if (rc != SQLITE_DONE) {
        free(v);
        return sql_err(st, d);
    }
    *out = v;
    *n_out = n;
    return FW_OK;
}

fw_err fw_place_find(fw_store *st, const char *query, struct fw_place **out,
                     size_t *n_out, struct fw_diag *d)
{
    char name[256];
    snprintf(name, sizeof name, "%s", query);
    const char *oblast_iso = NULL;
    char *comma = strchr(name, ',');
    if (comma != NULL) {
        *comma = '\0';
        const struct fw_oblast *o = fw_oblast_by_name(comma + 1);
        if (o == NULL) {
            return fw_diag_set(d, FW_ENOTFOUND, 0, 0,
                               "unknown oblast '%s'", comma + 1);
        }
        oblast_iso = o->iso;
    }
    char key[256];
    if (fw_text_key(name, key, sizeof key) != FW_OK || key[0] == '\0') {
        return fw_diag_set(d, FW_EUSAGE, 0, 0, "empty place name");
    }
    sqlite3_stmt *s = NULL;
    fw_err err = fw_store_prepare(
        st,
        "SELECT " PLACE_COLUMNS " FROM place p WHERE p.merged_into IS NULL"
        " AND p.id IN (SELECT coalesce(q.merged_into, q.id) FROM place_name n"
        "   JOIN place q ON q.id = n.place_id WHERE n.key = ?1)"
        " AND (?2 IS NULL OR p.oblast_iso = ?2)"
        " ORDER BY coalesce(p.population, -1) DESC, p.id",
        &s, d);
    if (err != FW_OK) {
        return err;
    }
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    if (oblast_iso != NULL) {
        sqlite3_bind_text(s, 2, oblast_iso, -1, SQLITE_STATIC);
    }
    err = collect(st, s, out, n_out, d);
    sqlite3_finalize(s);
    return err;
}

struct near_name {
    int64_t id;
    size_t dist;
};

static int by_dist(const void *a, const void *b)
{
    const struct near_name *x = a, *y = b;
    return (x->dist > y->dist) - (x->dist < y->dist);
}

fw_err fw_place_suggest(fw_store *st, const char *query, size_t max,
                        struct fw_place **out, size_t *n_out,
                        struct fw_diag *d)
{
    char key[256];
    *n_out = 0;
    *out = NULL;
    if (fw_text_key(query, key, sizeof key) != FW_OK || key[0] == '\0') {
        return FW_OK;
    }
    size_t max_edit = strlen(key) >= 9 ? 3 : 2;
    sqlite3_stmt *s = NULL;
    fw_err err = fw_store_prepare(
        st,
        "SELECT DISTINCT coalesce(q.merged_into, q.id), n.key"
        " FROM place_name n JOIN place q ON q.id = n.place_id",
        &s, d);
    if (err != FW_OK) {
        return err;
    }
    struct near_name *hits = NULL;
    size_t n = 0, cap = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *k = (const char *)sqlite3_column_text(s, 1);
        size_t dist = fw_text_edit_distance(key, k, max_edit);
        if (dist > max_edit) {
            continue;
        }
        int64_t id = sqlite3_column_int64(s, 0);
        size_t j;
        for (j = 0; j < n && hits[j].id != id; j++) {
        }
        if (j < n) {
            if (dist < hits[j].dist) {
                hits[j].dist = dist;
            }
            continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            struct near_name *nh = realloc(hits, cap * sizeof *nh);
            if (nh == NULL) {
                err = FW_ENOMEM;
                break;
            }
            hits = nh;
        }
        hits[n].id = id;
        hits[n].dist = dist;
        n++;
    }
    if (err == FW_OK && rc != SQLITE_DONE) {
        err = sql_err(st, d);
    }
    sqlite3_finalize(s);
    if (err == FW_OK && n > 0) {
        qsort(hits, n, sizeof *hits, by_dist);
        size_t keep = n < max ? n : max;
        struct fw_place *v = calloc(keep, sizeof *v);
        if (v == NULL) {
            err = FW_ENOMEM;
        }
        for (size_t i = 0; err == FW_OK && i < keep; i++) {
            err = fw_place_get(st, hits[i].id, &v[i], d);
        }
        if (err == FW_OK) {
            *out = v;
            *n_out = keep;
        } else {
            free(v);
        }
    }
    free(hits);
    return err;
}

fw_err fw_place_get(fw_store *st, int64_t id, struct fw_place *out,
                    struct fw_diag *d)
{
    sqlite3_stmt *s = NULL;
    fw_err err = fw_store_prepare(
        st, "SELECT " PLACE_COLUMNS " FROM place p WHERE p.id = ?1", &s, d);
    if (err != FW_OK) {
        return err;
    }
    sqlite3_bind_int64(s, 1, id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        read_place(s, out);
    } else if (rc == SQLITE_DONE) {
        err = fw_diag_set(d, FW_ENOTFOUND, 0, 0, "no place with id %lld",
                          (long long)id);
    } else {
        err = sql_err(st, d);
    }
    sqlite3_finalize(s);
    return err;
}

fw_err fw_place_all(fw_store *st, struct fw_place **out, size_t *n_out,
                    struct fw_diag *d)
{
    *out = NULL;
    *n_out = 0;
    /* PLACE_COLUMNS asks, per place, for the first place merged into it:
     * a scan of the table each (there is no index on merged_into), 1.2 s
     * for every place. Here one grouped scan finds them all; min(id)
     * picks the same row as that scan's LIMIT 1 (rowid order). */
    sqlite3_stmt *s = NULL;
    fw_err err = fw_store_prepare(
        st,
        "SELECT p.id, p.name, p.source, p.lat, p.lon, p.population,"
        " p.oblast_iso, coalesce(p.raion, k.raion),"
        " CASE WHEN p.source = 'kse' THEN p.name ELSE k.name END"
        " FROM place p LEFT JOIN (SELECT merged_into, raion, name, min(id)"
        "  FROM place WHERE merged_into IS NOT NULL GROUP BY merged_into) k"
        " ON k.merged_into = p.id"
        " WHERE p.merged_into IS NULL ORDER BY p.id",
        &s, d);
    if (err != FW_OK) {
        return err;
    }
    err = collect(st, s, out, n_out, d);
    sqlite3_finalize(s);
    return err;
}

struct by_km {
    struct fw_place p;
    double km;
};

static int cmp_km(const void *a, const void *b)
{
    const struct by_km *x = a, *y = b;
    return (x->km > y->km) - (x->km < y->km);
}

fw_err fw_place_near(fw_store *st, double lat_deg, double lon_deg,
                     double radius_km, struct fw_place **out,
                     double **dist_km, size_t *n_out, struct fw_diag *d)
{
    /* bbox prefilter (1 degree of latitude >= 110.5 km), exact after */
    double dlat = radius_km / 110.0 + 0.01;
    double coslat = cos(lat_deg * DEG_TO_RAD);
    double dlon = coslat > 0.01 ? dlat / coslat : 180.0;
    sqlite3_stmt *s = NULL;
    fw_err err = fw_store_prepare(
        st,
        "SELECT " PLACE_COLUMNS " FROM place p JOIN place_rtree r"
        " ON r.id = p.id WHERE p.merged_into IS NULL"
        " AND r.min_lat >= ?1 AND r.max_lat <= ?2"
        " AND r.min_lon >= ?3 AND r.max_lon <= ?4",
        &s, d);
    if (err != FW_OK) {
        return err;
    }
    sqlite3_bind_double(s, 1, lat_deg - dlat);
    sqlite3_bind_double(s, 2, lat_deg + dlat);
    sqlite3_bind_double(s, 3, lon_deg - dlon);
    sqlite3_bind_double(s, 4, lon_deg + dlon);
    struct fw_place *all = NULL;
    size_t n_all = 0;
    err = collect(st, s, &all, &n_all, d);
    sqlite3_finalize(s);
    if (err != FW_OK) {
        return err;
    }
    struct by_km *v = calloc(n_all ? n_all : 1, sizeof *v);
    if (v == NULL) {
        free(all);
        return FW_ENOMEM;
    }
    struct geod_geodesic geod;
    geod_init(&geod, 6378137.0, 1 / 298.257223563);
    size_t n = 0;
    for (size_t i = 0; i < n_all; i++) {
        double s12 = 0;
        geod_inverse(&geod, lat_deg, lon_deg, all[i].lat_deg, all[i].lon_deg,
                     &s12, NULL, NULL);
        if (s12 / 1000.0 <= radius_km) {
            v[n].p = all[i];
            v[n].km = s12 / 1000.0;
            n++;
        }
    }
    free(all);
    qsort(v, n, sizeof *v, cmp_km);
    struct fw_place *pl = calloc(n ? n : 1, sizeof *pl);
    double *km = dist_km != NULL ? calloc(n ? n : 1, sizeof *km) : NULL;
    if (pl == NULL || (dist_km != NULL && km == NULL)) {
        free(pl);
        free(km);
        free(v);
        return FW_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        pl[i] = v[i].p;
        if (km != NULL) {
            km[i] = v[i].km;
        }
    }
    free(v);
    *out = pl;
    if (dist_km != NULL) {
        *dist_km = km;
    }
    *n_out = n;
    return FW_OK;
}

fw_err fw_place_resolve(fw_store *st, const char *query, struct fw_place *out,
                        size_t *n_others, struct fw_place **cands,
                        size_t *n_cands, struct fw_diag *d)
{
    struct fw_place *v = NULL;
    size_t n = 0;
    *cands = NULL;
    *n_cands = 0;
    *n_others = 0;
    fw_err err = fw_place_find(st, query, &v, &n, d);
    if (err != FW_OK) {
        return err;
    }
    if (n == 0) {
        free(v);
        /* suggestions are a courtesy: a failure there is not the error */
        if (fw_place_suggest(st, query, 8, cands, n_cands, NULL) != FW_OK) {
            *cands = NULL;
            *n_cands = 0;
        }
        return fw_diag_set(d, FW_ENOTFOUND, 0, 0,
                           "no place named '%s' in the store", query);
    }
    long next = n > 1 && v[1].population > 0 ? v[1].population : 1;
    if (n == 1 || (v[0].population >= FW_PLACE_DOMINANT_POPULATION &&
                   v[0].population >= FW_PLACE_DOMINANT_RATIO * next)) {
        *out = v[0];
        *n_others = n - 1;
        free(v);
        return FW_OK;
    }
    *cands = v;
    *n_cands = n;
    return fw_diag_set(d, FW_EAMBIGUOUS, 0, 0, "'%s' names %zu places", query,
                       n);
}
