/*
 * fuzz_sink.c - the counting sink and the checks shared by the fuzz
 * harnesses (see fuzz.h). It stands where the store's ingest stands in the
 * data flow, but only counts what the readers send and checks each record
 * against the promises of record.h, so that a reader which hands on
 * something malformed fails as loudly as one that crashes.
 */
#include "fuzz.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontwatch/text.h"

void fuzz_fail(const char *file, int line, const char *what)
{
    fprintf(stderr, "%s:%d: invariant failed: %s\n", file, line, what);
    abort();
}

/* s is set, NUL-terminated within max bytes and well-formed UTF-8. */
static int is_text(const char *s, size_t max)
{
    if (s == NULL) {
        return 0;
    }
    size_t n = strnlen(s, max);
    long line = 0, col = 0;
    return n < max && fw_text_utf8_valid(s, n, &line, &col);
}

/* Optional strings may be NULL; when set they are checked as text. */
static int is_opt_text(const char *s)
{
    return s == NULL || is_text(s, 1 << 21);
}

static int is_iso(const char *s)
{
    return s != NULL && strncmp(s, "UA-", 3) == 0 && strlen(s) == 5;
}

/* Reads a little-endian uint32 at wkb[*off] and advances *off. */
static int wkb_u32(const unsigned char *wkb, size_t len, size_t *off,
                   uint32_t *v)
{
    if (len - *off < 4) {
        return 0;
    }
    *v = (uint32_t)wkb[*off] | (uint32_t)wkb[*off + 1] << 8 |
         (uint32_t)wkb[*off + 2] << 16 | (uint32_t)wkb[*off + 3] << 24;
    *off += 4;
    return 1;
}

static double wkb_f64(const unsigned char *wkb, size_t off)
{
    double v;
    memcpy(&v, wkb + off, sizeof v); /* NDR, and the hosts are x86/ARM LE */
    return v;
}

/* A 2D little-endian ISO WKB Polygon with at least one ring, each ring
 * closed, of at least 4 positions, every position finite, in range and
 * inside the record's bounding box (the shell's; holes lie inside it). */
static void check_polygon_wkb(const struct fw_polygon_rec *p)
{
    const unsigned char *wkb = p->wkb;
    size_t len = p->wkb_len, off = 1;
    uint32_t type = 0, n_rings = 0;
    FUZZ_CHECK(wkb != NULL && len >= 9);
    FUZZ_CHECK(wkb[0] == 1);
    FUZZ_CHECK(wkb_u32(wkb, len, &off, &type) && type == 3);
    FUZZ_CHECK(wkb_u32(wkb, len, &off, &n_rings) && n_rings >= 1);
    for (uint32_t r = 0; r < n_rings; r++) {
        uint32_t n_pts = 0;
        FUZZ_CHECK(wkb_u32(wkb, len, &off, &n_pts) && n_pts >= 4);
        FUZZ_CHECK((len - off) / 16 >= n_pts);
        double x0 = wkb_f64(wkb, off), y0 = wkb_f64(wkb, off + 8);
        double xn = 0, yn = 0;
        for (uint32_t i = 0; i < n_pts; i++, off += 16) {
            xn = wkb_f64(wkb, off);
            yn = wkb_f64(wkb, off + 8);
            FUZZ_CHECK(isfinite(xn) && isfinite(yn));
            FUZZ_CHECK(xn >= -180.0 && xn <= 180.0);
            FUZZ_CHECK(yn >= -90.0 && yn <= 90.0);
            FUZZ_CHECK(xn >= p->min_lon && xn <= p->max_lon);
            FUZZ_CHECK(yn >= p->min_lat && yn <= p->max_lat);
        }
        FUZZ_CHECK(x0 == xn && y0 == yn);
    }
    FUZZ_CHECK(off == len);
}

static fw_err on_place(void *ctx, const struct fw_place_rec *p)
{
    struct fuzz_counts *c = ctx;
    FUZZ_CHECK(p->source != NULL && (strcmp(p->source, "geonames") == 0 ||
                                     strcmp(p->source, "kse") == 0));
    FUZZ_CHECK(is_text(p->source_id, 1 << 21) && p->source_id[0] != '\0');
    FUZZ_CHECK(is_text(p->name, 1 << 21) && p->name[0] != '\0');
    FUZZ_CHECK(p->n_alt_names == 0 || p->alt_names != NULL);
    for (size_t i = 0; i < p->n_alt_names; i++) {
        FUZZ_CHECK(is_text(p->alt_names[i], 1 << 21));
        FUZZ_CHECK(p->alt_names[i][0] != '\0');
        FUZZ_CHECK(strcmp(p->alt_names[i], p->name) != 0);
    }
    FUZZ_CHECK(isfinite(p->lat_deg) && p->lat_deg >= -90.0 &&
               p->lat_deg <= 90.0);
    FUZZ_CHECK(isfinite(p->lon_deg) && p->lon_deg >= -180.0 &&
               p->lon_deg <= 180.0);
    FUZZ_CHECK(p->population == -1 || p->population > 0);
    FUZZ_CHECK(p->oblast_iso == NULL || is_iso(p->oblast_iso));
    FUZZ_CHECK(is_opt_text(p->raion) && is_opt_text(p->hromada) &&
               is_opt_text(p->kind));
    c->n_places++;
    return FW_OK;
}

static fw_err on_alert(void *ctx, const struct fw_alert_rec *a)
{
    struct fuzz_counts *c = ctx;
    FUZZ_CHECK(a->source != NULL && (strcmp(a->source, "official") == 0 ||
                                     strcmp(a->source, "volunteer") == 0));
    FUZZ_CHECK(a->level >= FW_ALERT_OBLAST && a->level <= FW_ALERT_HROMADA);
    FUZZ_CHECK(is_iso(a->oblast_iso));
    FUZZ_CHECK(is_opt_text(a->raion) && is_opt_text(a->hromada));
    FUZZ_CHECK(a->level < FW_ALERT_RAION || a->raion != NULL);
    FUZZ_CHECK(a->level < FW_ALERT_HROMADA || a->hromada != NULL);
    FUZZ_CHECK(a->end_s >= a->start_s);
    FUZZ_CHECK(a->is_naive == 0 || a->is_naive == 1);
    c->n_alerts++;
    return FW_OK;
}

static fw_err on_region(void *ctx, const struct fw_region_rec *r)
{
    struct fuzz_counts *c = ctx;
    FUZZ_CHECK(r->id >= 0 && r->parent_id >= 0);
    FUZZ_CHECK(r->level >= FW_ALERT_OBLAST && r->level <= FW_ALERT_HROMADA);
    FUZZ_CHECK(r->level != FW_ALERT_OBLAST || r->parent_id == 0);
    FUZZ_CHECK(is_text(r->name, 1 << 21));
    FUZZ_CHECK(r->oblast_iso == NULL || is_iso(r->oblast_iso));
    c->n_regions++;
    return FW_OK;
}

static fw_err on_snapshot(void *ctx, const struct fw_snapshot_rec *s)
{
    struct fuzz_counts *c = ctx;
    FUZZ_CHECK(s->source != NULL);
    FUZZ_CHECK(c->n_snapshots == 0 && c->n_polygons == 0 &&
               c->n_boundaries == 0 && c->n_countries == 0);
    c->n_snapshots++;
    return FW_OK;
}

static fw_err on_boundary(void *ctx, const struct fw_boundary_rec *b)
{
    struct fuzz_counts *c = ctx;
    FUZZ_CHECK(is_iso(b->oblast_iso));
    FUZZ_CHECK(is_text(b->name, 1 << 21));
    FUZZ_CHECK(c->n_snapshots == 0);
    c->n_boundaries++;
    return FW_OK;
}

static fw_err on_country(void *ctx, const struct fw_country_rec *k)
{
    struct fuzz_counts *c = ctx;
    FUZZ_CHECK(k->country != NULL && strlen(k->country) == 2 &&
               k->country[0] >= 'A' && k->country[0] <= 'Z' &&
               k->country[1] >= 'A' && k->country[1] <= 'Z');
    FUZZ_CHECK(is_text(k->name, 4096) && k->name[0] != '\0');
    FUZZ_CHECK(c->n_snapshots == 0 && c->n_boundaries == 0);
    c->n_countries++;
    return FW_OK;
}

static fw_err on_polygon(void *ctx, const struct fw_polygon_rec *p)
{
    struct fuzz_counts *c = ctx;
    FUZZ_CHECK(c->n_snapshots == 1 || c->n_boundaries > 0 ||
               c->n_countries > 0);
    FUZZ_CHECK(c->n_snapshots == 0 ? p->cls == 0
                                   : (p->cls >= FW_CLASS_OCCUPIED &&
                                      p->cls <= FW_CLASS_LIBERATED));
    FUZZ_CHECK(p->min_lon <= p->max_lon && p->min_lat <= p->max_lat);
    FUZZ_CHECK(isfinite(p->area_km2) && p->area_km2 >= -1e-6);
    /* no polygon on the ellipsoid is larger than the Earth's surface */
    FUZZ_CHECK(p->area_km2 <= 5.11e8);
    check_polygon_wkb(p);
    c->n_polygons++;
    return FW_OK;
}

static fw_err on_event(void *ctx, const struct fw_event_rec *e)
{
    struct fuzz_counts *c = ctx;
    static const char *const areas[] = {"ukraine", "north", "south",
                                        "east",    "center", "west"};
    FUZZ_CHECK(e->source != NULL && e->source[0] != '\0');
    /* without a position one of oblast and area; with one, no area */
    FUZZ_CHECK(e->has_position ? e->area == NULL
                               : (e->oblast_iso == NULL) != (e->area == NULL));
    FUZZ_CHECK(e->oblast_iso == NULL || is_iso(e->oblast_iso));
    if (e->area != NULL) {
        int known = 0;
        for (size_t i = 0; i < sizeof areas / sizeof areas[0]; i++) {
            known |= strcmp(e->area, areas[i]) == 0;
        }
        FUZZ_CHECK(known);
    }
    FUZZ_CHECK(is_text(e->type, 1 << 21) && e->type[0] != '\0');
    FUZZ_CHECK(e->count >= -1);
    FUZZ_CHECK(is_opt_text(e->source_row));
    FUZZ_CHECK(!e->has_position ||
               (isfinite(e->lat_deg) && isfinite(e->lon_deg) &&
                e->lat_deg >= -90.0 && e->lat_deg <= 90.0 &&
                e->lon_deg >= -180.0 && e->lon_deg <= 180.0));
    c->n_events++;
    return FW_OK;
}

static fw_err on_displacement(void *ctx, const struct fw_displacement_rec *r)
{
    struct fuzz_counts *c = ctx;
    FUZZ_CHECK(r->round >= 1);
    FUZZ_CHECK(is_iso(r->oblast_iso));
    FUZZ_CHECK(r->idps >= -1 && r->returnees >= -1);
    FUZZ_CHECK(r->reported_s % 86400 == 0);
    FUZZ_CHECK(is_opt_text(r->source_row));
    c->n_displacements++;
    return FW_OK;
}

static fw_err on_visit(void *ctx, const struct fw_settlement_visit_rec *v)
{
    struct fuzz_counts *c = ctx;
    FUZZ_CHECK(is_iso(v->oblast_iso));
    FUZZ_CHECK(is_text(v->settlement, 1 << 21) && v->settlement[0] != '\0');
    const char *opt[] = {v->raion,           v->hromada,
                         v->civilians_present, v->civilians_number,
                         v->civ_change,      v->civ_change_type,
                         v->movement_now,    v->movement_direction,
                         v->frontline_distance, v->source_row};
    for (size_t i = 0; i < sizeof opt / sizeof opt[0]; i++) {
        FUZZ_CHECK(is_opt_text(opt[i]));
        FUZZ_CHECK(opt[i] == NULL || opt[i][0] != '\0');
    }
    c->n_visits++;
    return FW_OK;
}

static void on_issue(struct fuzz_counts *c, long line, long feature,
                     const char *text)
{
    (void)c;
    FUZZ_CHECK(line >= 0 && feature >= -1);
    FUZZ_CHECK(line == 0 || feature == -1);
    FUZZ_CHECK(is_text(text, 4096) && text[0] != '\0');
}

static void on_reject(void *ctx, long line, long feature, const char *reason)
{
    struct fuzz_counts *c = ctx;
    on_issue(c, line, feature, reason);
    c->n_rejects++;
}

static void on_repair(void *ctx, long line, long feature, const char *what)
{
    struct fuzz_counts *c = ctx;
    on_issue(c, line, feature, what);
    c->n_repairs++;
}

static void on_progress(void *ctx, size_t done, size_t total)
{
    struct fuzz_counts *c = ctx;
    FUZZ_CHECK(done <= total);
    c->n_progress++;
}

void fuzz_sink_init(struct fw_sink *sink, struct fuzz_counts *counts)
{
    memset(counts, 0, sizeof *counts);
    *sink = (struct fw_sink){
        .ctx = counts,
        .place = on_place,
        .alert = on_alert,
        .region = on_region,
        .snapshot = on_snapshot,
        .boundary = on_boundary,
        .country = on_country,
        .polygon = on_polygon,
        .event = on_event,
        .displacement = on_displacement,
        .visit = on_visit,
        .reject = on_reject,
        .repair = on_repair,
        .progress = on_progress,
    };
}

void fuzz_check_diag(fw_err err, const struct fw_diag *d)
{
    FUZZ_CHECK(memchr(d->msg, '\0', sizeof d->msg) != NULL);
    FUZZ_CHECK(memchr(d->file, '\0', sizeof d->file) != NULL);
    if (err == FW_OK) {
        return;
    }
    FUZZ_CHECK(d->msg[0] != '\0');
    FUZZ_CHECK(is_text(d->msg, sizeof d->msg));
    FUZZ_CHECK(d->line >= 0 && d->col >= 0 && d->feature >= -1);
    FUZZ_CHECK(d->col == 0 || d->line > 0);
}
