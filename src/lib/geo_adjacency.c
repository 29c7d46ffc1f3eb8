/*
 * geo_adjacency.c - which oblasts share a boundary (geo.h:
 * fw_geo_oblast_neighbours), from the outlines in the store's boundary
 * table; the alert outlook's neighbour features use it.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "frontwatch/geo.h"
#include "geo_int.h"

/* Outlines of neighbours from one file meet exactly; a file's simplified
 * outlines can leave slivers between them. 0.01 degrees (about 1 km) is
 * far below the smallest real gap between oblasts that do not touch. */
#define TOUCH_DEG 0.01

/* Per oblast, the outlines of one file (ingest log), the same for all so
 * that neighbours are judged on one map: of the files that hold the most
 * oblasts, the smallest. */
static const char OUTLINE_SQL[] =
    "WITH best AS (SELECT log_id FROM boundary GROUP BY log_id"
    "  ORDER BY count(DISTINCT oblast_iso) DESC, sum(length(wkb)), log_id"
    "  LIMIT 1)"
    "SELECT oblast_iso, wkb FROM boundary WHERE log_id = (SELECT log_id"
    " FROM best)";

fw_err fw_geo_oblast_neighbours(fw_geo *g, const char *const *iso, size_t n,
                                uint8_t *adj, struct fw_diag *d)
{
    memset(adj, 0, n * n);
    GEOSGeometry **gm = calloc(n ? n : 1, sizeof *gm);
    if (gm == NULL) {
        return fw_diag_set(d, FW_ENOMEM, 0, 0, "out of memory");
    }
    sqlite3_stmt *s = NULL;
    fw_err err = fw_store_prepare(g->st, OUTLINE_SQL, &s, d);
    int rc = SQLITE_DONE;
    while (err == FW_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *o = (const char *)sqlite3_column_text(s, 0);
        size_t i = 0;
        while (i < n && strcmp(iso[i], o) != 0) {
            i++;
        }
        if (i == n) {
            continue;
        }
        GEOSGeometry *part = GEOSWKBReader_read_r(
            g->gh, g->wkb_reader, sqlite3_column_blob(s, 1),
            (size_t)sqlite3_column_bytes(s, 1));
        if (part == NULL) {
            err = fw_geo_geos_fail(g, d, "oblast outline");
            break;
        }
        if (gm[i] == NULL) {
            gm[i] = part;
            continue;
        }
        GEOSGeometry *both = GEOSUnion_r(g->gh, gm[i], part);
        GEOSGeom_destroy_r(g->gh, part);
        if (both == NULL) {
            err = fw_geo_geos_fail(g, d, "oblast outline");
            break;
        }
        GEOSGeom_destroy_r(g->gh, gm[i]);
        gm[i] = both;
    }
    if (err == FW_OK && rc != SQLITE_DONE) {
        err = fw_diag_set(d, FW_ESQL, 0, 0, "reading boundaries: %s",
                          sqlite3_errmsg(fw_store_db(g->st)));
    }
    sqlite3_finalize(s);
    /* Prepared (indexed) distance tests; most pairs are ruled out by their
     * envelopes first. */
    for (size_t i = 0; err == FW_OK && i < n; i++) {
        if (gm[i] == NULL) {
            continue;
        }
        const GEOSPreparedGeometry *pi = GEOSPrepare_r(g->gh, gm[i]);
        if (pi == NULL) {
            err = fw_geo_geos_fail(g, d, "oblast outline");
            break;
        }
        double ax0, ay0, ax1, ay1;
        GEOSGeom_getXMin_r(g->gh, gm[i], &ax0);
        GEOSGeom_getYMin_r(g->gh, gm[i], &ay0);
        GEOSGeom_getXMax_r(g->gh, gm[i], &ax1);
        GEOSGeom_getYMax_r(g->gh, gm[i], &ay1);
        for (size_t j = i + 1; err == FW_OK && j < n; j++) {
            double bx0, by0, bx1, by1;
            if (gm[j] == NULL) {
                continue;
            }
            GEOSGeom_getXMin_r(g->gh, gm[j], &bx0);
            GEOSGeom_getYMin_r(g->gh, gm[j], &by0);
            GEOSGeom_getXMax_r(g->gh, gm[j], &bx1);
            GEOSGeom_getYMax_r(g->gh, gm[j], &by1);
            if (bx0 > ax1 + TOUCH_DEG || ax0 > bx1 + TOUCH_DEG ||
                by0 > ay1 + TOUCH_DEG || ay0 > by1 + TOUCH_DEG) {
                continue;
            }
            char near = GEOSPreparedDistanceWithin_r(g->gh, pi, gm[j],
                                                     TOUCH_DEG);
            if (near == 2) {
                err = fw_geo_geos_fail(g, d, "oblast distance");
            } else if (near) {
                adj[i * n + j] = adj[j * n + i] = 1;
            }
        }
        GEOSPreparedGeom_destroy_r(g->gh, pi);
    }
    for (size_t i = 0; i < n; i++) {
        GEOSGeom_destroy_r(g->gh, gm[i]);
    }
    free(gm);
    if (err != FW_OK) {
        memset(adj, 0, n * n);
    }
    return err;
}
