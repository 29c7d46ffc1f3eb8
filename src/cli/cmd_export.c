/*
 * cmd_export.c - `frontwatch export --out DIR`: the dashboard and every
 * answer it needs as plain files, for any static web host or CDN, with no
 * frontwatch process behind it. The answers come from the same functions
 * as the server's (api.h: one fw_api_answer per file), but the places'
 * histories, which are built for every place at once (history.h).
 *
 * The site is made in DIR.partial and renamed to DIR only when whole; a
 * DIR from an earlier export is replaced then, so a reader sees the old
 * site or the new one, never half of one.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include <cjson/cJSON.h>
#include <dirent.h>

#include "frontwatch/api.h"
#include "frontwatch/date.h"
#include "frontwatch/history.h"
#include "frontwatch/oblast.h"
#include "frontwatch/summary.h"

#define DAY ((int64_t)FW_DAY_S)

/* Threads that answer the places' files (each borrows its own worker
 * context of the api). */
#define EXPORT_THREADS 2

struct export {
    fw_api *api;
    pthread_mutex_t mu;        /* the counters, next_place, has_failed */
    char root[4096];           /* DIR.partial */
    int is_tty;
    size_t n_files;
    unsigned long long n_bytes;
    double t0;
    /* the places' loop */
    const int64_t *ids;
    size_t n_ids, next_place, n_done;
    const char *query;         /* date=NEWEST */
    int has_failed;
};

/* out = a b c; 0, or -1 after the error when it does not fit in cap. */
static int join(char *out, size_t cap, const char *a, const char *b,
                const char *c)
{
    int n = snprintf(out, cap, "%s%s%s", a, b, c);
    if (n < 0 || (size_t)n >= cap) {
        fw_cli_error("%s%s%s: path too long", a, b, c);
        return -1;
    }
    return 0;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void progress(struct export *e, const char *what, size_t done,
                     size_t total)
{
    if (e->is_tty) {
        fprintf(stderr, "\rexport: %s %zu/%zu (%.0f s)   ", what, done,
                total, now_s() - e->t0);
    }
}

/* mkdir -p of the folders of rel under the root. */
static int make_dirs(const struct export *e, const char *rel)
{
    char path[8200];
    if (join(path, sizeof path, e->root, "/", rel) != 0) {
        return -1;
    }
    for (char *p = path + strlen(e->root) + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(path, 0755) != 0 && errno != EEXIST) {
                fw_cli_error("%s: %s", path, strerror(errno));
                return -1;
            }
            *p = '/';
        }
    }
    return 0;
}

static int write_file(struct export *e, const char *rel, const char *body,
                      size_t len)
{
    char path[8200];
    if (make_dirs(e, rel) != 0 ||
        join(path, sizeof path, e->root, "/", rel) != 0) {
        return -1;
    }
    FILE *f = fopen(path, "wb");
    int ok = f != NULL && fwrite(body, 1, len, f) == len;
    if (f != NULL && fclose(f) != 0) {
        ok = 0;
    }
    if (!ok) {
        fw_cli_error("%s: cannot write: %s", path, strerror(errno));
        return -1;
    }
    pthread_mutex_lock(&e->mu);
    e->n_files++;
    e->n_bytes += len;
    pthread_mutex_unlock(&e->mu);
    return 0;
}

/* The answer to path?query as the file rel; a 4xx is written too when
 * allow_missing (the dashboard reads it as "no data"), else an error. */
static int answer_to_file(struct export *e, const char *path,
                          const char *query, const char *base,
                          const char *rel, int allow_missing)
{
    struct fw_api_request rq = {.method = "GET",
                                .path = path,
                                .query = query,
                                .base = base,
                                .base_url = NULL};
    struct fw_api_response r;
    if (fw_api_answer(e->api, &rq, &r) != FW_OK) {
        fw_cli_error("%s: out of memory", path);
        return -1;
    }
    int rc = 0;
    if (r.status == 200 || (allow_missing && r.status == 404)) {
        rc = r.status == 200 ? write_file(e, rel, r.body, r.body_len) : 0;
    } else {
        fw_cli_error("%s?%s: %d %.*s", path, query ? query : "", r.status,
                     (int)(r.body_len < 300 ? r.body_len : 300), r.body);
        rc = -1;
    }
    fw_api_response_free(&r);
    return rc;
}

static int copy_tree(struct export *e, const char *src, const char *rel)
{
    char path[8200];
    struct stat sb;
    if (join(path, sizeof path, src, "", rel) != 0) {
        return -1;
    }
    if (stat(path, &sb) != 0) {
        fw_cli_error("%s: %s", path, strerror(errno));
        return -1;
    }
    if (S_ISREG(sb.st_mode)) {
        FILE *f = fopen(path, "rb");
        char *buf = malloc(sb.st_size ? (size_t)sb.st_size : 1);
        size_t got = f && buf ? fread(buf, 1, (size_t)sb.st_size, f) : 0;
        if (f != NULL) {
            fclose(f);
        }
        int rc = got == (size_t)sb.st_size && buf != NULL
                     ? write_file(e, rel + 1, buf, got)
                     : (fw_cli_error("%s: cannot read", path), -1);
        free(buf);
        return rc;
    }
    /* a folder: its entries but hidden ones and the npm folder */
    struct dirent **names = NULL;
    int n = scandir(path, &names, NULL, alphasort);
    if (n < 0) {
        fw_cli_error("%s: %s", path, strerror(errno));
        return -1;
    }
    int rc = 0;
    for (int i = 0; i < n; i++) {
        char sub[4096];
        if (rc == 0 && names[i]->d_name[0] != '.' &&
            strcmp(names[i]->d_name, "node_modules") != 0) {
            rc = join(sub, sizeof sub, rel, "/", names[i]->d_name);
            if (rc == 0) {
                rc = copy_tree(e, src, sub);
            }
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

static int rm_entry(const char *path, const struct stat *sb, int flag,
                    struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int rm_tree(const char *path)
{
    return nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* The Mondays from first_s on before newest_s, and newest_s: the weeks of
 * the dashboard's slider (as /api/meta lists them). */
static int64_t *week_days(int64_t first_s, int64_t newest_s, size_t *n)
{
    int64_t day = fw_date_floor_day(first_s);
    int64_t monday = day + ((7 - (day / DAY + 3) % 7) % 7) * DAY;
    int64_t last = fw_date_floor_day(newest_s);
    size_t cap = (size_t)((last - monday) / (7 * DAY)) + 2;
    int64_t *d = malloc(cap * sizeof *d);
    if (d == NULL) {
        return NULL;
    }
    *n = 0;
    for (int64_t t = monday; t < last; t += 7 * DAY) {
        d[(*n)++] = t;
    }
    d[(*n)++] = last;
    return d;
}

/* data/meta.json of the static site: /api/meta's members, "static" true
 * and the weeks from --from on. */
static int write_meta(struct export *e, const int64_t *days, size_t n,
                      int has_model, const char *until)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (f == NULL) {
        return -1;
    }
    char a[11], b[11];
    fw_date_format_day(days[0], a);
    fw_date_format_day(days[n - 1], b);
    fprintf(f, "{\"static\":true,\"first\":\"%s\",\"newest\":\"%s\","
               "\"dates\":[",
            a, b);
    for (size_t i = 0; i < n; i++) {
        fw_date_format_day(days[i], a);
        fprintf(f, "%s\"%s\"", i ? "," : "", a);
    }
    fprintf(f, "],\"basis\":\"%s\",\"model_trained_until\":",
            has_model ? "model" : "distance");
    if (has_model) {
        fprintf(f, "\"%s\"", until);
    } else {
        fputs("null", f);
    }
    fputs("}\n", f);
    fclose(f);
    int rc = write_file(e, "data/meta.json", buf, len);
    free(buf);
    return rc;
}

/* The span of the maps from /api/meta: its "first" and "newest", and the
 * model's "model_trained_until" into until ("" without a model). */
static int map_span(struct export *e, int64_t *first_s, int64_t *newest_s,
                    char until[11])
{
    struct fw_api_request rq = {.method = "GET", .path = "/api/meta"};
    struct fw_api_response r;
    if (fw_api_answer(e->api, &rq, &r) != FW_OK || r.status != 200) {
        fw_cli_error("cannot read the store's map dates");
        fw_api_response_free(&r);
        return -1;
    }
    cJSON *j = cJSON_ParseWithLength(r.body, r.body_len);
    const cJSON *f = cJSON_GetObjectItem(j, "first");
    const cJSON *n = cJSON_GetObjectItem(j, "newest");
    const cJSON *u = cJSON_GetObjectItem(j, "model_trained_until");
    snprintf(until, 11, "%s", cJSON_IsString(u) ? u->valuestring : "");
    int rc = cJSON_IsString(f) && cJSON_IsString(n) &&
                     fw_date_parse_day(f->valuestring, first_s) == FW_OK &&
                     fw_date_parse_day(n->valuestring, newest_s) == FW_OK
                 ? 0
                 : -1;
    if (rc != 0) {
        fw_cli_error("the store has no front-line maps: nothing to export "
                     "(frontwatch ingest or update first)");
    }
    cJSON_Delete(j);
    fw_api_response_free(&r);
    return rc;
}

/* Every place's history over the weeks, one file each (history.h builds
 * them for all places at once). */
static int write_histories(struct export *e, const char *db,
                           const char *model, int64_t from_s, int64_t to_s)
{
    struct fw_diag d;
    fw_diag_reset(&d);
    fw_store *st = NULL;
    fw_geo *g = NULL;
    fw_forecast *fc = NULL;
    struct fw_place *pl = NULL;
    size_t n = 0;
    struct fw_history h = {0};
    int rc = -1;
    fw_err err = fw_store_open(db, FW_STORE_READ, &st, &d);
    if (err == FW_OK) {
        err = fw_geo_new(st, &g, &d);
    }
    if (err == FW_OK && model != NULL) {
        err = fw_forecast_load(model, &fc, &d);
    }
    if (err == FW_OK) {
        err = fw_place_all(st, &pl, &n, &d);
    }
    if (err == FW_OK) {
        progress(e, "histories of every place", 0, n);
        err = fw_history_build(st, g, fc, pl, n, from_s, to_s, 7, &h, &d);
    }
    if (err != FW_OK) {
        fw_cli_fail(err, &d);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        char *buf = NULL, rel[64];
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        if (f == NULL) {
            goto out;
        }
        fw_history_write_json(&h, &pl[i], i, 7, f);
        fclose(f);
        snprintf(rel, sizeof rel, "data/history/%lld.json",
                 (long long)pl[i].id);
        int w = write_file(e, rel, buf, len);
        free(buf);
        if (w != 0) {
            goto out;
        }
        progress(e, "histories of every place", i + 1, n);
    }
    rc = 0;
out:
    fw_history_free(&h);
    free(pl);
    fw_forecast_free(fc);
    fw_geo_free(g);
    fw_store_close(st);
    return rc;
}

/* The ids of the places of /api/placemap's answer written as
 * data/places.json. */
static int place_ids(struct export *e, int64_t **ids, size_t *n)
{
    char path[8200];
    if (join(path, sizeof path, e->root, "/", "data/places.json") != 0) {
        return -1;
    }
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    char chunk[65536];
    size_t got;
    while (f != NULL && m != NULL && (got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        fwrite(chunk, 1, got, m);
    }
    if (f != NULL) {
        fclose(f);
    }
    if (m != NULL) {
        fclose(m);
    }
    cJSON *j = buf ? cJSON_ParseWithLength(buf, len) : NULL;
    free(buf);
    const cJSON *arr = cJSON_GetObjectItem(j, "places");
    int k = cJSON_GetArraySize(arr);
    *ids = malloc((size_t)(k > 0 ? k : 1) * sizeof **ids);
    if (j == NULL || *ids == NULL) {
        cJSON_Delete(j);
        free(*ids);
        fw_cli_error("%s: cannot read the places back", path);
        return -1;
    }
    *n = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, arr)
    {
        const cJSON *id = cJSON_GetObjectItem(it, "id");
        if (cJSON_IsNumber(id)) {
            (*ids)[(*n)++] = (int64_t)id->valuedouble;
        }
    }
    cJSON_Delete(j);
    return 0;
}

/* Each place's answer, pages and nothing else, from the shared queue. */
static void *place_worker(void *arg)
{
    struct export *e = arg;
    for (;;) {
        pthread_mutex_lock(&e->mu);
        size_t i = e->next_place++;
        int stop = e->has_failed || i >= e->n_ids;
        pthread_mutex_unlock(&e->mu);
        if (stop) {
            return NULL;
        }
        char path[64], rel[64], q[96];
        long long id = (long long)e->ids[i];
        int rc = 0;
        /* the pages first: both languages and the answer are one
         * assessment (api_assess.c keeps the last one) */
        snprintf(path, sizeof path, "/place/%lld", id);
        for (int l = 0; rc == 0 && l < FW_N_LANGS; l++) {
            const char *lang = fw_lang_code((enum fw_lang)l);
            snprintf(q, sizeof q, "%s&lang=%s", e->query, lang);
            snprintf(rel, sizeof rel, "place/%lld/%s.html", id, lang);
            rc = answer_to_file(e, path, q, "../../", rel, 0);
        }
        snprintf(path, sizeof path, "/api/assess/%lld", id);
        snprintf(rel, sizeof rel, "data/assess/%lld.json", id);
        if (rc == 0) {
            rc = answer_to_file(e, path, e->query, NULL, rel, 0);
        }
        pthread_mutex_lock(&e->mu);
        e->has_failed |= rc != 0;
        size_t done = ++e->n_done;
        pthread_mutex_unlock(&e->mu);
        progress(e, "places", done, e->n_ids);
    }
}

static int exec_export(int argc, char **argv)
{
    static const struct option opts[] = {
        {"out", required_argument, NULL, 'o'},
        {"from", required_argument, NULL, 'f'},
        {"db", required_argument, NULL, 'd'},
        {"model", required_argument, NULL, 'm'},
        {"web", required_argument, NULL, 'w'},
        {"quiet", no_argument, NULL, 'q'},
        {NULL, 0, NULL, 0},
    };
    const char *out = NULL, *from = NULL, *db = NULL, *model = NULL,
               *web = NULL;
    int quiet = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:f:d:m:w:q", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'f': from = optarg; break;
        case 'd': db = optarg; break;
        case 'm': model = optarg; break;
        case 'w': web = optarg; break;
        case 'q': quiet = 1; break;
        default: return FW_EXIT_USAGE;
        }
    }
    if (out == NULL || *out == '\0' || optind < argc) {
        fw_cli_error("export needs --out DIR and no other argument "
                     "(frontwatch help export)");
        return FW_EXIT_USAGE;
    }
    int64_t from_s = 0;
    if (from != NULL && fw_cli_parse_date(from, &from_s) != 0) {
        return FW_EXIT_USAGE;
    }
    const char *web_dir = fw_cli_web_dir(web);
    if (web_dir == NULL) {
        fw_cli_error("export needs the dashboard's files: --web DIR, or a "
                     "build with web/node_modules (npm ci --prefix web)");
        return FW_EXIT_IO;
    }
    struct export e;
    memset(&e, 0, sizeof e);
    pthread_mutex_init(&e.mu, NULL);
    e.is_tty = !quiet && isatty(2);
    e.t0 = now_s();
    if (snprintf(e.root, sizeof e.root, "%s.partial", out) >=
        (int)sizeof e.root) {
        fw_cli_error("--out: path too long");
        return FW_EXIT_USAGE;
    }
    struct fw_diag d;
    fw_diag_reset(&d);
    const char *model_path = fw_cli_model_path(model);
    struct fw_api_config ac = {.db_path = fw_cli_db_path(db),
                               .model_path = model_path,
                               .web_dir = web_dir,
                               .n_contexts = EXPORT_THREADS};
    fw_err err = fw_api_new(&ac, &e.api, &d);
    if (err != FW_OK) {
        return fw_cli_fail(err, &d);
    }
    int rc = FW_EXIT_IO;
    int64_t *days = NULL, *ids = NULL, first_s, newest_s;
    size_t n_days = 0, n_ids = 0;
    struct stat sb;
    if (stat(e.root, &sb) == 0 && rm_tree(e.root) != 0) {
        fw_cli_error("%s: cannot remove the unfinished export: %s", e.root,
                     strerror(errno));
        goto out;
    }
    if (mkdir(e.root, 0755) != 0) {
        fw_cli_error("%s: %s", e.root, strerror(errno));
        goto out;
    }
    char until[11];
    if (map_span(&e, &first_s, &newest_s, until) != 0) {
        rc = FW_EXIT_DATA;
        goto out;
    }
    if (from_s > first_s) {
        first_s = from_s;
    }
    if (first_s > newest_s) {
        fw_cli_error("--from %s: after the newest map", from);
        rc = FW_EXIT_USAGE;
        goto out;
    }
    days = week_days(first_s, newest_s, &n_days);
    char newest[11], query[64];
    fw_date_format_day(newest_s, newest);
    snprintf(query, sizeof query, "date=%s", newest);
    if (days == NULL || copy_tree(&e, web_dir, "") != 0 ||
        write_meta(&e, days, n_days, until[0] != '\0', until) != 0 ||
        answer_to_file(&e, "/api/oblasts", NULL, NULL, "data/oblasts.json",
                       0) != 0 ||
        answer_to_file(&e, "/api/placemap", query, NULL, "data/places.json",
                       0) != 0 ||
        place_ids(&e, &ids, &n_ids) != 0) {
        goto out;
    }
    for (size_t i = 0; i < n_days; i++) {
        char day[11], q[32], rel[64];
        fw_date_format_day(days[i], day);
        snprintf(q, sizeof q, "date=%s", day);
        snprintf(rel, sizeof rel, "data/frontline/%s.json", day);
        if (answer_to_file(&e, "/api/frontline", q, NULL, rel, 1) != 0) {
            goto out;
        }
        snprintf(rel, sizeof rel, "data/placemap/%s.json", day);
        if (answer_to_file(&e, "/api/placemap", q, NULL, rel, 0) != 0) {
            goto out;
        }
        progress(&e, "weekly maps", i + 1, n_days);
    }
    e.ids = ids;
    e.n_ids = n_ids;
    e.query = query;
    pthread_t th[EXPORT_THREADS];
    int n_th = 0;
    while (n_th < EXPORT_THREADS &&
           pthread_create(&th[n_th], NULL, place_worker, &e) == 0) {
        n_th++;
    }
    if (n_th == 0) {
        place_worker(&e); /* no thread to be had: this one does it */
    }
    for (int i = 0; i < n_th; i++) {
        pthread_join(th[i], NULL);
    }
    if (e.has_failed) {
        goto out;
    }
    if (write_histories(&e, ac.db_path, model_path, first_s, newest_s) != 0) {
        goto out;
    }
    /* the feeds of each oblast over the half year to the newest map */
    for (size_t i = 0; i < fw_oblast_count(); i++) {
        const struct fw_oblast *o = fw_oblast_at(i);
        char q[96], rel[96];
        snprintf(q, sizeof q, "oblast=%s&to=%s", o->iso, newest);
        snprintf(rel, sizeof rel, "feeds/%s.atom.xml", o->iso);
        if (answer_to_file(&e, "/feeds/atom.xml", q, NULL, rel, 1) != 0) {
            goto out;
        }
        snprintf(rel, sizeof rel, "feeds/%s.cap.xml", o->iso);
        if (answer_to_file(&e, "/feeds/cap.xml", q, NULL, rel, 1) != 0) {
            goto out;
        }
        progress(&e, "oblast feeds", i + 1, fw_oblast_count());
    }
    /* whole: replace the earlier export, if any, in two renames */
    char old[4200];
    if (join(old, sizeof old, out, ".previous", "") != 0) {
        goto out;
    }
    if (stat(out, &sb) == 0) {
        if (stat(old, &sb) == 0 && rm_tree(old) != 0) {
            fw_cli_error("%s: %s", old, strerror(errno));
            goto out;
        }
        if (rename(out, old) != 0) {
            fw_cli_error("%s: cannot move aside: %s", out, strerror(errno));
            goto out;
        }
    }
    if (rename(e.root, out) != 0) {
        fw_cli_error("%s: cannot rename to %s: %s", e.root, out,
                     strerror(errno));
        goto out;
    }
    if (stat(old, &sb) == 0) {
        (void)rm_tree(old);
    }
    if (e.is_tty) {
        fputc('\n', stderr);
    }
    char first[11];
    fw_date_format_day(first_s, first);
    printf("exported %zu files, %.1f MB, to %s in %.1f s (%zu weeks from "
           "%s to %s, %zu places)\n",
           e.n_files, (double)e.n_bytes / 1e6, out, now_s() - e.t0, n_days,
           first, newest, n_ids);
    rc = FW_EXIT_OK;
out:
    if (rc != FW_EXIT_OK) {
        if (e.is_tty) {
            fputc('\n', stderr);
        }
        (void)rm_tree(e.root); /* nothing half-made stays */
    }
    free(days);
    free(ids);
    fw_api_free(e.api);
    pthread_mutex_destroy(&e.mu);
    return rc;
}

const struct fw_cmd fw_cmd_export = {
    .name = "export",
    .usage = "export --out DIR [--from YYYY-MM-DD] [--db STORE] [--model F] "
             "[--web DIR] [--quiet]",
    .summary = "the dashboard and its answers as static files for any web "
               "host",
    .help =
        "Writes the dashboard and every answer it needs as plain files into\n"
        "DIR, so that any static web host or CDN serves the whole service\n"
        "with no frontwatch process behind it: for each week from --from\n"
        "(default: the first map) to the newest map, the occupied areas\n"
        "(data/frontline/DATE.json) and every place's status (data/placemap/\n"
        "DATE.json); for every place its answer on the newest day (data/\n"
        "assess/ID.json), its page in Ukrainian and English (place/ID/uk.html,\n"
        "place/ID/en.html) and its weekly history (data/history/ID.json); the\n"
        "oblast boundaries; each oblast's Atom feed and newest CAP alert\n"
        "(feeds/UA-NN.atom.xml, feeds/UA-NN.cap.xml). The same functions\n"
        "answer as for `serve`. The site is made in DIR.partial and renamed\n"
        "to DIR when whole (an earlier export there is replaced).\n"
        "\n"
        "Options:\n"
        "  --out DIR     where the site goes\n"
        "  --from D      the first week (default: the first map)\n"
        "  --db STORE    the store (default frontwatch.db or $FRONTWATCH_DB)\n"
        "  --model F     the model file (as serve)\n"
        "  --web DIR     the dashboard's files (as serve)\n"
        "  --quiet       no progress on stderr\n"
        "\n"
        "Example:\n"
        "  frontwatch export --out site/ && (cd site && python3 -m "
        "http.server)\n",
    .exec = exec_export,
};
