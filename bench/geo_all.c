/*
 * geo_all.c - the geo kernel over the whole history: every place of the
 * store at every usable snapshot (status and geodesic distance), timed.
 *
 *   build/bench_geo_all STORE
 *
 * Prints the number of (place, snapshot) pairs, the wall time and the
 * rate. The seed of issue 4's benchmarks; not part of `make test`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "frontwatch/geo.h"
#include "frontwatch/store.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s STORE\n", argv[0]);
        return 2;
    }
    struct fw_diag d;
    fw_diag_reset(&d);
    fw_store *st = NULL;
    fw_geo *g = NULL;
    if (fw_store_open(argv[1], FW_STORE_READ, &st, &d) != FW_OK ||
        fw_geo_new(st, &g, &d) != FW_OK) {
        fprintf(stderr, "%s\n", d.msg);
        return 3;
    }
    sqlite3_stmt *ps = NULL, *ss = NULL;
    fw_store_prepare(st, "SELECT lat, lon FROM place WHERE merged_into IS NULL",
                     &ps, &d);
    size_t n_places = 0, cap = 1024;
    double *lat = malloc(cap * sizeof *lat), *lon = malloc(cap * sizeof *lon);
    while (sqlite3_step(ps) == SQLITE_ROW) {
        if (n_places == cap) {
            cap *= 2;
            lat = realloc(lat, cap * sizeof *lat);
            lon = realloc(lon, cap * sizeof *lon);
        }
        lat[n_places] = sqlite3_column_double(ps, 0);
        lon[n_places] = sqlite3_column_double(ps, 1);
        n_places++;
    }
    sqlite3_finalize(ps);
    fw_store_prepare(st,
                     "SELECT id, source, published_s, as_of_s FROM snapshot"
                     " WHERE suspect IS NULL ORDER BY source, published_s",
                     &ss, &d);
    double t0 = now_s();
    long pairs = 0, occupied = 0;
    size_t n_snaps = 0;
    while (sqlite3_step(ss) == SQLITE_ROW) {
        struct fw_snapshot_info snap = {0};
        snap.id = sqlite3_column_int64(ss, 0);
        snprintf(snap.source, sizeof snap.source, "%s",
                 (const char *)sqlite3_column_text(ss, 1));
        snap.published_s = sqlite3_column_int64(ss, 2);
        snap.as_of_s = sqlite3_column_int64(ss, 3);
        n_snaps++;
        for (size_t i = 0; i < n_places; i++) {
            struct fw_control c;
            if (fw_geo_control(g, &snap, lat[i], lon[i], &c, &d) != FW_OK) {
                fprintf(stderr, "%s\n", d.msg);
                return 1;
            }
            pairs++;
            occupied += c.status >= FW_STATUS_OCCUPIED;
        }
    }
    double dt = now_s() - t0;
    sqlite3_finalize(ss);
    printf("%zu places x %zu snapshots = %ld pairs (%ld occupied) in %.2f s:"
           " %.0f pairs/s\n",
           n_places, n_snaps, pairs, occupied, dt, pairs / dt);
    free(lat);
    free(lon);
    fw_geo_free(g);
    fw_store_close(st);
    return 0;
}
