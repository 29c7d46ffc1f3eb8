/*
 * cmd_ingest.c - `frontwatch ingest`: files and folders into the store.
 */
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "frontwatch/ingest.h"

struct run {
    fw_store *st;
    struct fw_ingest_pipe *pipe; /* files parsed ahead on worker threads */
    int is_tty;
    int quiet;
    long n_files, n_new, n_same, n_skipped;
    size_t index, total;      /* file being ingested, of how many */
    double last_progress_s;
};

/* Every file to ingest, in order, with whether it was named explicitly. */
struct file_list {
    char **paths;
    unsigned char *is_explicit;
    size_t n, cap;
};

/* Folders deeper than this are not entered (a link loop ends here). */
#define MAX_DEPTH 16

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void progress(void *ctx, const char *path, size_t done, size_t total)
{
    struct run *r = ctx;
    double t = now_s();
    if (!r->is_tty || t - r->last_progress_s < 0.1 || total == 0) {
        return;
    }
    r->last_progress_s = t;
    const char *base = strrchr(path, '/');
    fprintf(stderr, "\r\033[K[%zu/%zu] %s %3d%%", r->index, r->total,
            base ? base + 1 : path,
            (int)(100.0 * (double)done / (double)total));
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_file(struct file_list *fl, const char *path, int is_explicit)
{
    if (fl->n == fl->cap) {
        size_t cap = fl->cap ? fl->cap * 2 : 256;
        char **np = realloc(fl->paths, cap * sizeof *np);
        if (np == NULL) {
            return FW_EXIT_IO;
        }
        fl->paths = np;
        unsigned char *ne = realloc(fl->is_explicit, cap);
        if (ne == NULL) {
            return FW_EXIT_IO;
        }
        fl->is_explicit = ne;
        fl->cap = cap;
    }
    fl->paths[fl->n] = strdup(path);
    if (fl->paths[fl->n] == NULL) {
        return FW_EXIT_IO;
    }
    fl->is_explicit[fl->n++] = (unsigned char)is_explicit;
    return 0;
}

static int collect(struct file_list *fl, const char *path, int is_explicit,
                   int depth);

/* A folder's entries in name order, so that runs are reproducible. */
static int collect_dir(struct file_list *fl, const char *dir, int depth)
{
    if (depth > MAX_DEPTH) {
        fw_cli_error("%s: folders nested deeper than %d, not entered", dir,
                     MAX_DEPTH);
        return 0;
    }
    DIR *dp = opendir(dir);
    if (dp == NULL) {
        fw_cli_error("%s: cannot open folder", dir);
        return FW_EXIT_IO;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (e = readdir(dp)) != NULL) {
        if (e->d_name[0] == '.') {
            continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **nn = realloc(names, cap * sizeof *nn);
            if (nn == NULL) {
                rc = FW_EXIT_IO;
                break;
            }
            names = nn;
        }
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        if ((names[n] = malloc(len)) == NULL) {
            rc = FW_EXIT_IO;
            break;
        }
        snprintf(names[n], len, "%s/%s", dir, e->d_name);
        n++;
    }
    closedir(dp);
    if (rc == 0) {
        qsort(names, n, sizeof *names, cmp_str);
    }
    for (size_t i = 0; i < n; i++) {
        if (rc == 0) {
            rc = collect(fl, names[i], 0, depth + 1);
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

static int collect(struct file_list *fl, const char *path, int is_explicit,
                   int depth)
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        fw_cli_error("%s: no such file or folder", path);
        return FW_EXIT_IO;
    }
    if (S_ISDIR(sb.st_mode)) {
        return collect_dir(fl, path, depth);
    }
    return add_file(fl, path, is_explicit);
}

static int ingest_file(struct run *r, size_t i, const char *path,
                       int explicit)
{
    struct fw_diag d;
    fw_diag_reset(&d);
    enum fw_source_kind kind = FW_SOURCE_UNKNOWN;
    fw_err err = fw_ingest_pipe_sniff(r->pipe, i, &kind, &d);
    if (err != FW_OK) {
        snprintf(d.file, sizeof d.file, "%s", path);
        return fw_cli_fail(err, &d);
    }
    if (kind == FW_SOURCE_UNKNOWN) {
        r->n_skipped++;
        if (explicit) {
            fw_cli_error("%s: not a source frontwatch reads (see "
                         "frontwatch help ingest)",
                         path);
            return FW_EXIT_DATA;
        }
        return 0;
    }
    struct fw_ingest_result res;
    r->n_files++;
    progress(r, path, 0, 1);
    err = fw_ingest_pipe_file(r->pipe, i, progress, r, &res, &d);
    if (r->is_tty) {
        fprintf(stderr, "\r\033[K");
    }
    if (err == FW_EUSAGE && res.kind == FW_SOURCE_UNKNOWN) {
        r->n_files--;
        r->n_skipped++;
        if (explicit) {
            fw_cli_error("%s: not a source frontwatch reads", path);
            return FW_EXIT_DATA;
        }
        return 0;
    }
    if (err != FW_OK) {
        int code = fw_cli_fail(err, &d);
        fprintf(stderr, "frontwatch: %s was not ingested; the store is "
                        "unchanged by it\n",
                path);
        return code;
    }
    if (res.is_duplicate) {
        r->n_same++;
        if (!r->quiet) {
            printf("same  %s: already ingested (sha256 %.12s), nothing "
                   "changed\n",
                   path, res.sha256);
        }
        return 0;
    }
    r->n_new++;
    if (!r->quiet) {
        printf("ok    %s: %s, %ld read, %ld accepted, %ld rejected, %ld "
               "repaired",
               path, fw_source_kind_name(res.kind), res.rows_read,
               res.rows_accepted, res.rows_rejected, res.rows_repaired);
        if (res.rows_known > 0) {
            printf(", %ld stored already", res.rows_known);
        }
        printf("\n");
        if (res.first_issue[0] != '\0') {
            printf("      first issue: %s\n", res.first_issue);
        }
    }
    return 0;
}

static int exec_ingest(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"quiet", no_argument, NULL, 'q'},
        {NULL, 0, NULL, 0},
    };
    const char *db = NULL;
    struct run r = {.is_tty = isatty(2)};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "qd:", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'q': r.quiet = 1; break;
        default: return FW_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fw_cli_error("ingest needs at least one file or folder "
                     "(frontwatch help ingest)");
        return FW_EXIT_USAGE;
    }
    struct fw_diag d;
    fw_diag_reset(&d);
    fw_err err = fw_store_open(fw_cli_db_path(db), FW_STORE_WRITE, &r.st, &d);
    if (err != FW_OK) {
        return fw_cli_fail(err, &d);
    }
    struct file_list fl = {0};
    int rc = 0;
    for (int i = optind; i < argc && rc == 0; i++) {
        rc = collect(&fl, argv[i], 1, 0);
    }
    double t0 = now_s();
    r.total = fl.n;
    if (rc == 0) {
        /* FW_INGEST_THREADS: parser threads (default one per CPU) */
        const char *env = getenv("FW_INGEST_THREADS");
        err = fw_ingest_pipe_open(r.st, fl.paths, fl.n,
                                  env != NULL ? atoi(env) : 0, &r.pipe, &d);
        if (err != FW_OK) {
            rc = fw_cli_fail(err, &d);
        }
    }
    for (size_t i = 0; i < fl.n && rc == 0; i++) {
        r.index = i + 1;
        rc = ingest_file(&r, i, fl.paths[i], fl.is_explicit[i]);
    }
    fw_ingest_pipe_close(r.pipe);
    for (size_t i = 0; i < fl.n; i++) {
        free(fl.paths[i]);
    }
    free(fl.paths);
    free(fl.is_explicit);
    /* derived tables follow whatever did land, even after an error */
    err = fw_ingest_derive(r.st, &d);
    if (err != FW_OK && rc == 0) {
        rc = fw_cli_fail(err, &d);
    }
    fw_store_close(r.st);
    if (!r.quiet) {
        printf("%ld file%s ingested, %ld already present, %ld not "
               "recognised and skipped, in %.1f s; store %s\n",
               r.n_new, r.n_new == 1 ? "" : "s", r.n_same, r.n_skipped,
               now_s() - t0, fw_cli_db_path(db));
    }
    return rc;
}

const struct fw_cmd fw_cmd_ingest = {
    .name = "ingest",
    .usage = "ingest PATH... [--db STORE] [--quiet]",
    .summary = "read source files or folders (recursively) into the store",
    .help =
        "Recognises each file by its content, gzipped or plain:\n"
        "  GeoNames cities500 TSV, KSE hromada centres CSV,\n"
        "  air-raid alerts CSV (official and volunteer) and states.json,\n"
        "  DeepStateMap GeoJSON (full layers or occupied union),\n"
        "  NZZ/liveuamap {\"value\": FeatureCollection} GeoJSON,\n"
        "  oblast boundaries GeoJSON (geoBoundaries ADM1, Minregion),\n"
        "  a country's outline as an ESRI shapefile (OSM's Russia): its\n"
        "  .shp, with the .shx and .dbf of the same name beside it,\n"
        "  gzipped or not; from it and the oblasts the state border is\n"
        "  derived.\n"
        "Other files in a folder are skipped and counted; a file named\n"
        "explicitly that is none of these is an error.\n"
        "\n"
        "Each file is one transaction: a file with an error leaves the\n"
        "store unchanged, the error names the file, line or feature and\n"
        "what was wrong, and ingest stops with exit code 1 (files before\n"
        "it stay ingested). A file already ingested (same name and\n"
        "sha256) changes nothing. Rows rejected or repaired are counted,\n"
        "with reasons kept in the store's ingest_issue table.\n"
        "\n"
        "Options:\n"
        "  --db STORE   the SQLite store (default frontwatch.db or\n"
        "               $FRONTWATCH_DB); created when missing\n"
        "  --quiet      print errors only\n"
        "\n"
        "Examples:\n"
        "  frontwatch ingest ../shared/data\n"
        "  frontwatch ingest --db kharkiv.db data/sample\n"
        "  frontwatch ingest alerts/official_data_en.csv\n",
    .exec = exec_ingest,
};
