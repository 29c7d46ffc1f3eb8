/*
 * ingest_pipe.c - the pipelined ingest (fw_ingest_pipe_*, see ingest.h):
 * worker threads read, hash and parse the next files while the caller's
 * thread writes the current one. A worker parses a file into a batch: a
 * copy of every record its reader produced (records borrow their pointers
 * for the callback only, record.h), in order, in a chunked arena so that
 * pointers into it stay valid. The caller's thread replays the batch into
 * the store's sink (ingest.c, through ingest_int.h), one transaction per
 * file as fw_ingest_file does; a file that cannot go this way (not parsed
 * ahead, or failed) goes through fw_ingest_file itself. So does a
 * shapefile, which is several files read by its reader from their paths
 * (shapefile.h) and identified by their sha256 together: one small
 * source, not worth a worker.
 */
#include "frontwatch/ingest.h"

#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frontwatch/alerts.h"
#include "frontwatch/events.h"
#include "frontwatch/frontline.h"
#include "frontwatch/gazetteer.h"
#include "frontwatch/io.h"
#include "frontwatch/record.h"
#include "ingest_int.h"

enum rec_tag {
    R_PLACE,
    R_ALERT,
    R_REGION,
    R_SNAPSHOT,
    R_BOUNDARY,
    R_POLYGON,
    R_EVENT,
    R_DISPLACEMENT,
    R_VISIT,
    R_REJECT,
    R_REPAIR,
    R_PROGRESS
};

struct rec {
    struct rec *next;
    enum rec_tag tag;
    union {
        struct fw_place_rec place;
        struct fw_alert_rec alert;
        struct fw_region_rec region;
        struct fw_snapshot_rec snapshot;
        struct fw_boundary_rec boundary;
        struct fw_polygon_rec polygon;
        struct fw_event_rec event;
        struct fw_displacement_rec displacement;
        struct fw_settlement_visit_rec visit;
        struct {
            long line, feature;
            const char *text;
        } issue;
        struct {
            size_t done, total;
        } progress;
    } u;
};

struct chunk {
    struct chunk *next;
    size_t used, cap;
    alignas(max_align_t) unsigned char data[];
};

#define CHUNK_BYTES ((size_t)1 << 20)

struct batch {
    struct chunk *chunks;
    struct rec *head, **tail;
    int last_pct;
    const atomic_int *cancel;
    int lost; /* a reject or repair could not be kept */
    int oom;  /* an allocation failed: the batch is not complete */
};

static void batch_init(struct batch *b, const atomic_int *cancel)
{
    memset(b, 0, sizeof *b);
    b->tail = &b->head;
    b->last_pct = -1;
    b->cancel = cancel;
}

static void batch_free(struct batch *b)
{
    struct chunk *c = b->chunks;
    while (c != NULL) {
        struct chunk *next = c->next;
        free(c);
        c = next;
    }
    batch_init(b, b->cancel);
}

static void *b_alloc(struct batch *b, size_t n)
{
    n = (n + alignof(max_align_t) - 1) & ~(alignof(max_align_t) - 1);
    struct chunk *c = b->chunks;
    if (c == NULL || c->cap - c->used < n) {
        size_t cap = n > CHUNK_BYTES ? n : CHUNK_BYTES;
        struct chunk *nc = malloc(sizeof *nc + cap);
        if (nc == NULL) {
            b->oom = 1;
            return NULL;
        }
        nc->used = 0;
        nc->cap = cap;
        if (c != NULL && n > CHUNK_BYTES) {
            /* a big item: keep filling the current chunk afterwards */
            nc->next = c->next;
            c->next = nc;
        } else {
            nc->next = c;
            b->chunks = nc;
        }
        c = nc;
    }
    void *p = c->data + c->used;
    c->used += n;
    return p;
}

/* Copies s into the batch; NULL stays NULL. *ok is cleared on failure. */
static const char *b_str(struct batch *b, const char *s, int *ok)
{
    if (s == NULL) {
        return NULL;
    }
    size_t n = strlen(s) + 1;
    char *c = b_alloc(b, n);
    if (c == NULL) {
        *ok = 0;
        return NULL;
    }
    memcpy(c, s, n);
    return c;
}

static struct rec *b_rec(struct batch *b, enum rec_tag tag)
{
    if (atomic_load(b->cancel)) {
        return NULL;
    }
    struct rec *r = b_alloc(b, sizeof *r);
    if (r != NULL) {
        r->next = NULL;
        r->tag = tag;
        *b->tail = r;
        b->tail = &r->next;
    }
    return r;
}

/* Abandoned (the run stopped) or out of memory: either way the worker's
 * result is not used; the file is ingested serially if it is asked for. */
static fw_err rec_fail(struct batch *b)
{
    return atomic_load(b->cancel) ? FW_EUSAGE : FW_ENOMEM;
}

static fw_err rec_place(void *ctx, const struct fw_place_rec *p)
{
    struct batch *b = ctx;
    struct rec *r = b_rec(b, R_PLACE);
    if (r == NULL) {
        return rec_fail(b);
    }
    int ok = 1;
    struct fw_place_rec *q = &r->u.place;
    *q = *p;
    q->source = b_str(b, p->source, &ok);
    q->source_id = b_str(b, p->source_id, &ok);
    q->name = b_str(b, p->name, &ok);
    q->oblast_iso = b_str(b, p->oblast_iso, &ok);
    q->raion = b_str(b, p->raion, &ok);
    q->hromada = b_str(b, p->hromada, &ok);
    q->kind = b_str(b, p->kind, &ok);
    q->alt_names = NULL;
    if (p->alt_names != NULL && p->n_alt_names > 0) {
        const char **alt = b_alloc(b, p->n_alt_names * sizeof *alt);
        if (alt == NULL) {
            return FW_ENOMEM;
        }
        for (size_t i = 0; i < p->n_alt_names; i++) {
            alt[i] = b_str(b, p->alt_names[i], &ok);
        }
        q->alt_names = alt;
    }
    return ok ? FW_OK : FW_ENOMEM;
}

static fw_err rec_alert(void *ctx, const struct fw_alert_rec *a)
{
    struct batch *b = ctx;
    struct rec *r = b_rec(b, R_ALERT);
    if (r == NULL) {
        return rec_fail(b);
    }
    int ok = 1;
    r->u.alert = *a;
    r->u.alert.source = b_str(b, a->source, &ok);
    r->u.alert.oblast_iso = b_str(b, a->oblast_iso, &ok);
    r->u.alert.raion = b_str(b, a->raion, &ok);
    r->u.alert.hromada = b_str(b, a->hromada, &ok);
    return ok ? FW_OK : FW_ENOMEM;
}

static fw_err rec_region(void *ctx, const struct fw_region_rec *g)
{
    struct batch *b = ctx;
    struct rec *r = b_rec(b, R_REGION);
    if (r == NULL) {
        return rec_fail(b);
    }
    int ok = 1;
    r->u.region = *g;
    r->u.region.name = b_str(b, g->name, &ok);
    r->u.region.oblast_iso = b_str(b, g->oblast_iso, &ok);
    return ok ? FW_OK : FW_ENOMEM;
}

static fw_err rec_snapshot(void *ctx, const struct fw_snapshot_rec *s)
{
    struct batch *b = ctx;
    struct rec *r = b_rec(b, R_SNAPSHOT);
    if (r == NULL) {
        return rec_fail(b);
    }
    int ok = 1;
    r->u.snapshot = *s;
    r->u.snapshot.source = b_str(b, s->source, &ok);
    return ok ? FW_OK : FW_ENOMEM;
}

static fw_err rec_boundary(void *ctx, const struct fw_boundary_rec *x)
{
    struct batch *b = ctx;
    struct rec *r = b_rec(b, R_BOUNDARY);
    if (r == NULL) {
        return rec_fail(b);
    }
    int ok = 1;
    r->u.boundary.oblast_iso = b_str(b, x->oblast_iso, &ok);
    r->u.boundary.name = b_str(b, x->name, &ok);
    return ok ? FW_OK : FW_ENOMEM;
}

static fw_err rec_polygon(void *ctx, const struct fw_polygon_rec *p)
{
    struct batch *b = ctx;
    struct rec *r = b_rec(b, R_POLYGON);
    if (r == NULL) {
        return rec_fail(b);
    }
    r->u.polygon = *p;
    unsigned char *w = b_alloc(b, p->wkb_len > 0 ? p->wkb_len : 1);
    if (w == NULL) {
        return FW_ENOMEM;
    }
    if (p->wkb_len > 0) {
        memcpy(w, p->wkb, p->wkb_len);
    }
    r->u.polygon.wkb = w;
    return FW_OK;
}

static fw_err rec_event(void *ctx, const struct fw_event_rec *e)
{
    struct batch *b = ctx;
    struct rec *r = b_rec(b, R_EVENT);
    if (r == NULL) {
        return rec_fail(b);
    }
    int ok = 1;
    r->u.event = *e;
    r->u.event.source = b_str(b, e->source, &ok);
    r->u.event.oblast_iso = b_str(b, e->oblast_iso, &ok);
    r->u.event.area = b_str(b, e->area, &ok);
    r->u.event.type = b_str(b, e->type, &ok);
    r->u.event.source_row = b_str(b, e->source_row, &ok);
    return ok ? FW_OK : FW_ENOMEM;
}

static fw_err rec_displacement(void *ctx, const struct fw_displacement_rec *x)
{
    struct batch *b = ctx;
    struct rec *r = b_rec(b, R_DISPLACEMENT);
    if (r == NULL) {
        return rec_fail(b);
    }
    int ok = 1;
    r->u.displacement = *x;
    r->u.displacement.oblast_iso = b_str(b, x->oblast_iso, &ok);
    r->u.displacement.source_row = b_str(b, x->source_row, &ok);
    return ok ? FW_OK : FW_ENOMEM;
}

static fw_err rec_visit(void *ctx, const struct fw_settlement_visit_rec *v)
{
    struct batch *b = ctx;
    struct rec *r = b_rec(b, R_VISIT);
    if (r == NULL) {
        return rec_fail(b);
    }
    int ok = 1;
    struct fw_settlement_visit_rec *q = &r->u.visit;
    *q = *v;
    q->oblast_iso = b_str(b, v->oblast_iso, &ok);
    q->raion = b_str(b, v->raion, &ok);
    q->hromada = b_str(b, v->hromada, &ok);
    q->settlement = b_str(b, v->settlement, &ok);
    q->civilians_present = b_str(b, v->civilians_present, &ok);
    q->civilians_number = b_str(b, v->civilians_number, &ok);
    q->civ_change = b_str(b, v->civ_change, &ok);
    q->civ_change_type = b_str(b, v->civ_change_type, &ok);
    q->movement_now = b_str(b, v->movement_now, &ok);
    q->movement_direction = b_str(b, v->movement_direction, &ok);
    q->frontline_distance = b_str(b, v->frontline_distance, &ok);
    q->source_row = b_str(b, v->source_row, &ok);
    return ok ? FW_OK : FW_ENOMEM;
}

/* reject/repair cannot fail: a record that cannot be kept sets the batch's
 * lost flag, and the file then goes the serial way (parse_slot). */
static void rec_issue(struct batch *b, enum rec_tag tag, long line,
                      long feature, const char *text)
{
    struct rec *r = b_rec(b, tag);
    if (r == NULL) {
        b->lost = 1; /* cancelled (then unused) or out of memory */
        return;
    }
    int ok = 1;
    r->u.issue.line = line;
    r->u.issue.feature = feature;
    r->u.issue.text = b_str(b, text != NULL ? text : "", &ok);
    b->lost |= !ok;
}

static void rec_reject(void *ctx, long line, long feature, const char *why)
{
    rec_issue(ctx, R_REJECT, line, feature, why);
}

static void rec_repair(void *ctx, long line, long feature, const char *what)
{
    rec_issue(ctx, R_REPAIR, line, feature, what);
}

static void rec_progress(void *ctx, size_t done, size_t total)
{
    struct batch *b = ctx;
    int pct = total > 0 ? (int)(100.0 * (double)done / (double)total) : 0;
    if (pct == b->last_pct) {
        return;
    }
    b->last_pct = pct;
    struct rec *r = b_rec(b, R_PROGRESS);
    if (r != NULL) {
        r->u.progress.done = done;
        r->u.progress.total = total;
    }
}

enum slot_state { SLOT_WAITING, SLOT_BUSY, SLOT_DONE };

enum slot_result {
    SLOT_SERIAL, /* ingest it serially (error, unknown, cancelled) */
    SLOT_STORED, /* already in the store when the run began */
    SLOT_PARSED, /* batch holds every record */
    SLOT_FAILED  /* err and diag say why; batch holds the records read
                    before the error (read_failed: none, no read) */
};

struct slot {
    enum slot_state state;
    enum slot_result result;
    int sniffed; /* kind is fw_ingest_sniff's answer */
    int read_failed;
    int not_ours; /* valid JSON of no shape we know */
    fw_err err;
    struct fw_diag diag;
    enum fw_source_kind kind;
    char sha256[65];
    struct batch batch;
};

struct fw_ingest_pipe {
    fw_store *st;
    char *const *paths;
    size_t n;
    struct slot *slots;
    char **stored; /* "sha256 name" of ingest_log at open, sorted */
    size_t n_stored;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    size_t next_job; /* next file a worker takes */
    size_t consumed; /* files before this one are written or skipped */
    size_t window;   /* files parsed ahead of consumed, at most */
    atomic_int cancel;
    int n_threads;
    pthread_t threads[4];
    /* the sink's statements, prepared once for all files */
    sqlite3_stmt *stmt[FW_INGEST_N_STMTS];
};

static int cmp_strp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int was_stored(const struct fw_ingest_pipe *p, const char *sha,
                      const char *name)
{
    size_t len = strlen(sha) + strlen(name) + 2;
    char *key = malloc(len);
    if (key == NULL) {
        return 0;
    }
    snprintf(key, len, "%s %s", sha, name);
    int hit = p->n_stored > 0 && bsearch(&key, p->stored, p->n_stored,
                                         sizeof *p->stored, cmp_strp) != NULL;
    free(key);
    return hit;
}

/* Everything fw_ingest_file does before the store is written. */
static void parse_slot(struct fw_ingest_pipe *p, size_t i)
{
    struct slot *s = &p->slots[i];
    const char *path = p->paths[i];
    struct fw_diag d;
    fw_diag_reset(&d);
    snprintf(d.file, sizeof d.file, "%s", path); /* as fw_ingest_file */
    s->result = SLOT_SERIAL;
    batch_init(&s->batch, &p->cancel);
    char *buf = NULL;
    size_t len = 0;
    size_t plen = strlen(path);
    if (plen > 3 && strcmp(path + plen - 3, ".gz") == 0) {
        /* gzipped: hash, then decompress once, and sniff the buffer
         * instead of decompressing its start twice */
        if (fw_io_sha256_file(path, s->sha256) != FW_OK) {
            s->sniffed = fw_ingest_sniff(path, &s->kind, &d) == FW_OK;
            return;
        }
        if (was_stored(p, s->sha256, fw_ingest_base_name(path))) {
            s->sniffed = fw_ingest_sniff(path, &s->kind, &d) == FW_OK;
            s->result = SLOT_STORED;
            return;
        }
        if ((s->err = fw_io_read_file(path, FW_IO_MAX_BYTES, &buf, &len, &d)) !=
            FW_OK) {
            s->diag = d;
            s->read_failed = 1;
            s->sniffed = fw_ingest_sniff(path, &s->kind, &d) == FW_OK;
            s->result = s->sniffed ? SLOT_FAILED : SLOT_SERIAL;
            return;
        }
        char head[65537];
        int n = len < sizeof head - 1 ? (int)len : (int)sizeof head - 1;
        memcpy(head, buf, (size_t)n);
        head[n] = '\0';
        s->kind = fw_ingest_sniff_buf(head, n);
        s->sniffed = 1;
        if (s->kind == FW_SOURCE_UNKNOWN ||
            s->kind == FW_SOURCE_COUNTRY_OUTLINE) {
            free(buf);
            return;
        }
    } else {
        if (fw_ingest_sniff(path, &s->kind, &d) != FW_OK) {
            return;
        }
        s->sniffed = 1;
        if (s->kind == FW_SOURCE_UNKNOWN ||
            s->kind == FW_SOURCE_COUNTRY_OUTLINE ||
            fw_io_sha256_file(path, s->sha256) != FW_OK) {
            return;
        }
        if (was_stored(p, s->sha256, fw_ingest_base_name(path))) {
            s->result = SLOT_STORED;
            return;
        }
        if ((s->err = fw_io_read_file(path, FW_IO_MAX_BYTES, &buf, &len, &d)) !=
            FW_OK) {
            s->diag = d;
            s->read_failed = 1;
            s->result = SLOT_FAILED;
            return;
        }
    }
    struct fw_sink sink = {
        .ctx = &s->batch,
        .place = rec_place,
        .alert = rec_alert,
        .region = rec_region,
        .snapshot = rec_snapshot,
        .boundary = rec_boundary,
        .polygon = rec_polygon,
        .event = rec_event,
        .displacement = rec_displacement,
        .visit = rec_visit,
        .reject = rec_reject,
        .repair = rec_repair,
        .progress = rec_progress,
    };
    int not_ours = 0;
    fw_err err =
        fw_ingest_read(s->kind, path, buf, len, &sink, &not_ours, &d);
    if (not_ours) {
        s->not_ours = 1; /* kind stays the sniffed one */
    }
    free(buf);
    /* a record or issue lost to a failed allocation, or an abandoned run:
     * the batch is not the file's, which then goes the serial way */
    if (!atomic_load(&p->cancel) && !s->batch.lost && !s->batch.oom) {
        s->result = err == FW_OK ? SLOT_PARSED : SLOT_FAILED;
        s->err = err;
        s->diag = d;
    }
    if (s->result != SLOT_PARSED) {
        batch_free(&s->batch);
    }
}

static void *worker(void *arg)
{
    struct fw_ingest_pipe *p = arg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!atomic_load(&p->cancel) && p->next_job < p->n &&
               p->next_job >= p->consumed + p->window) {
            pthread_cond_wait(&p->cv, &p->mu);
        }
        if (atomic_load(&p->cancel) || p->next_job >= p->n) {
            break;
        }
        size_t i = p->next_job++;
        p->slots[i].state = SLOT_BUSY;
        pthread_mutex_unlock(&p->mu);
        parse_slot(p, i);
        pthread_mutex_lock(&p->mu);
        p->slots[i].state = SLOT_DONE;
        pthread_cond_broadcast(&p->cv);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

static fw_err load_stored(struct fw_ingest_pipe *p, struct fw_diag *d)
{
    sqlite3_stmt *s = NULL;
    fw_err err = fw_store_prepare(
        p->st, "SELECT sha256 || ' ' || name FROM ingest_log", &s, d);
    size_t cap = 0;
    int rc;
    while (err == FW_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *k = (const char *)sqlite3_column_text(s, 0);
        if (k == NULL) {
            continue;
        }
        if (p->n_stored == cap) {
            cap = cap ? cap * 2 : 256;
            char **ns = realloc(p->stored, cap * sizeof *ns);
            if (ns == NULL) {
                err = fw_diag_set(d, FW_ENOMEM, 0, 0, "out of memory");
                break;
            }
            p->stored = ns;
        }
        if ((p->stored[p->n_stored] = strdup(k)) == NULL) {
            err = fw_diag_set(d, FW_ENOMEM, 0, 0, "out of memory");
            break;
        }
        p->n_stored++;
    }
    if (err == FW_OK && rc != SQLITE_DONE) {
        err = fw_diag_set(d, FW_ESQL, 0, 0, "store: %s",
                          sqlite3_errmsg(fw_store_db(p->st)));
    }
    sqlite3_finalize(s);
    if (err == FW_OK && p->n_stored > 1) {
        qsort(p->stored, p->n_stored, sizeof *p->stored, cmp_strp);
    }
    return err;
}

fw_err fw_ingest_pipe_open(fw_store *st, char *const *paths, size_t n,
                           int threads, struct fw_ingest_pipe **out,
                           struct fw_diag *d)
{
    *out = NULL;
    struct fw_ingest_pipe *p = calloc(1, sizeof *p);
    if (p == NULL ||
        (n > 0 && (p->slots = calloc(n, sizeof *p->slots)) == NULL)) {
        free(p);
        return fw_diag_set(d, FW_ENOMEM, 0, 0, "out of memory");
    }
    p->st = st;
    p->paths = paths;
    p->n = n;
    if (threads <= 0) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        threads = cpus < 1 ? 1 : cpus > 4 ? 4 : (int)cpus;
    }
    if (threads > 4) {
        threads = 4;
    }
    /* Files parsed and waiting, or being parsed: bounds the memory. Three
     * per worker let the workers run ahead of a file slow to write (the
     * real data on 2 cores: 2.6 s with 6, 2.8 s with 3). */
    p->window = 3 * (size_t)threads;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    fw_err err = load_stored(p, d);
    for (int t = 0; err == FW_OK && t < threads; t++) {
        if (pthread_create(&p->threads[t], NULL, worker, p) != 0) {
            break; /* fewer workers; the serial path covers the rest */
        }
        p->n_threads++;
    }
    if (err != FW_OK) {
        fw_ingest_pipe_close(p);
        return err;
    }
    *out = p;
    return FW_OK;
}

void fw_ingest_pipe_close(struct fw_ingest_pipe *p)
{
    if (p == NULL) {
        return;
    }
    pthread_mutex_lock(&p->mu);
    atomic_store(&p->cancel, 1);
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    for (int t = 0; t < p->n_threads; t++) {
        pthread_join(p->threads[t], NULL);
    }
    for (size_t i = 0; i < p->n; i++) {
        batch_free(&p->slots[i].batch);
    }
    for (int k = 0; k < FW_INGEST_N_STMTS; k++) {
        sqlite3_finalize(p->stmt[k]);
    }
    for (size_t i = 0; i < p->n_stored; i++) {
        free(p->stored[i]);
    }
    free(p->stored);
    free(p->slots);
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    free(p);
}

static fw_err replay(struct ingest *in, const struct batch *b)
{
    struct fw_sink sink;
    fw_ingest_sink(in, &sink);
    void *ctx = sink.ctx;
    fw_err err = FW_OK;
    for (const struct rec *r = b->head; r != NULL && err == FW_OK;
         r = r->next) {
        switch (r->tag) {
        case R_PLACE:
            err = sink.place(ctx, &r->u.place);
            break;
        case R_ALERT:
            err = sink.alert(ctx, &r->u.alert);
            break;
        case R_REGION:
            err = sink.region(ctx, &r->u.region);
            break;
        case R_SNAPSHOT:
            err = sink.snapshot(ctx, &r->u.snapshot);
            break;
        case R_BOUNDARY:
            err = sink.boundary(ctx, &r->u.boundary);
            break;
        case R_POLYGON:
            err = sink.polygon(ctx, &r->u.polygon);
            break;
        case R_EVENT:
            err = sink.event(ctx, &r->u.event);
            break;
        case R_DISPLACEMENT:
            err = sink.displacement(ctx, &r->u.displacement);
            break;
        case R_VISIT:
            err = sink.visit(ctx, &r->u.visit);
            break;
        case R_REJECT:
            sink.reject(ctx, r->u.issue.line, r->u.issue.feature,
                        r->u.issue.text);
            break;
        case R_REPAIR:
            sink.repair(ctx, r->u.issue.line, r->u.issue.feature,
                        r->u.issue.text);
            break;
        case R_PROGRESS:
            sink.progress(ctx, r->u.progress.done, r->u.progress.total);
            break;
        }
    }
    return err;
}

/* Writes a parsed slot: fw_ingest_file after its parse. Returns FW_OK with
 * *done = 0 when the file must go the serial way instead (the store is
 * then unchanged). */
static fw_err write_slot(struct fw_ingest_pipe *p, size_t i,
                         fw_progress_fn progress, void *progress_ctx,
                         struct fw_ingest_result *res, struct fw_diag *d,
                         int *done)
{
    struct slot *s = &p->slots[i];
    const char *path = p->paths[i];
    struct ingest in = {.st = p->st,
                        .db = fw_store_db(p->st),
                        .res = res,
                        .d = d,
                        .path = path,
                        .progress = progress,
                        .progress_ctx = progress_ctx};
    fw_err ret = FW_OK;
    *done = 0;
    memset(res, 0, sizeof *res);
    fw_diag_reset(d);
    if (d != NULL) {
        snprintf(d->file, sizeof d->file, "%s", path);
    }
    res->kind = s->kind;
    memcpy(res->sha256, s->sha256, sizeof res->sha256);
    int dup = 0;
    fw_err err = fw_ingest_is_duplicate(&in, res->sha256,
                                        fw_ingest_base_name(path), &dup);
    if (err != FW_OK) {
        return FW_OK; /* serially: it will say the same */
    }
    if (dup) {
        res->is_duplicate = 1;
        *done = 1;
        return FW_OK;
    }
    if (s->result == SLOT_FAILED && s->read_failed) {
        /* the file could not be read: nothing was written yet */
        if (d != NULL) {
            *d = s->diag;
        }
        *done = 1;
        return s->err;
    }
    if (s->result != SLOT_PARSED && s->result != SLOT_FAILED) {
        return FW_OK;
    }
    int in_tx = 0;
    for (int k = 0; k < FW_INGEST_N_STMTS; k++) {
        if (p->stmt[k] == NULL &&
            (err = fw_store_prepare(p->st, FW_INGEST_SQL[k], &p->stmt[k], d)) !=
                FW_OK) {
            goto out;
        }
        in.stmt[k] = p->stmt[k];
    }
    if ((err = fw_store_exec(p->st, "BEGIN IMMEDIATE", d)) != FW_OK) {
        goto out;
    }
    in_tx = 1;
    if ((err = fw_ingest_insert_log(&in, path, path, res->sha256)) != FW_OK ||
        (err = fw_ingest_replace_older_events(&in)) != FW_OK ||
        (err = replay(&in, &s->batch)) != FW_OK) {
        goto out;
    }
    if (s->result == SLOT_FAILED) {
        /* the records before the reader's error were written without an
         * error of their own: the reader's error is the file's, as in
         * fw_ingest_file, and the transaction is rolled back */
        if (d != NULL) {
            *d = s->diag;
        }
        if (s->not_ours) {
            res->kind = FW_SOURCE_UNKNOWN;
            fw_diag_set(d, FW_EUSAGE, 0, 0, "not a recognised source");
        }
        ret = s->err;
        *done = 1;
        goto out;
    }
    if ((err = fw_ingest_replace_older_rows(&in)) != FW_OK ||
        (err = fw_ingest_finish_log(&in)) != FW_OK) {
        goto out;
    }
    err = fw_store_exec(p->st, "COMMIT", d);
    in_tx = err != FW_OK;
    *done = err == FW_OK;
out:
    if (in_tx) {
        sqlite3_exec(in.db, "ROLLBACK", NULL, NULL, NULL);
    }
    for (int k = 0; k < FW_INGEST_N_STMTS; k++) {
        if (p->stmt[k] != NULL) {
            sqlite3_reset(p->stmt[k]);
            sqlite3_clear_bindings(p->stmt[k]);
        }
    }
    return ret;
}

/* Waits until a worker is done with file i (dropping the batches of the
 * files before it, which the caller skipped); 0 when it never will be. */
static int wait_slot(struct fw_ingest_pipe *p, size_t i)
{
    pthread_mutex_lock(&p->mu);
    for (size_t k = p->consumed; k < i && k < p->n; k++) {
        while (k < p->next_job && p->slots[k].state != SLOT_DONE) {
            pthread_cond_wait(&p->cv, &p->mu);
        }
        batch_free(&p->slots[k].batch);
    }
    if (i > p->consumed) {
        p->consumed = i;
        pthread_cond_broadcast(&p->cv);
    }
    int parsed = 0;
    if (i < p->n && p->n_threads > 0) {
        /* a worker takes i once i is within the window, which it now is */
        while (!(i < p->next_job && p->slots[i].state == SLOT_DONE) &&
               !atomic_load(&p->cancel)) {
            pthread_cond_wait(&p->cv, &p->mu);
        }
        parsed = i < p->next_job && p->slots[i].state == SLOT_DONE;
    }
    pthread_mutex_unlock(&p->mu);
    return parsed;
}

fw_err fw_ingest_pipe_sniff(struct fw_ingest_pipe *p, size_t i,
                            enum fw_source_kind *kind, struct fw_diag *d)
{
    if (wait_slot(p, i) && p->slots[i].sniffed) {
        *kind = p->slots[i].kind;
        return FW_OK;
    }
    return fw_ingest_sniff(p->paths[i], kind, d);
}

fw_err fw_ingest_pipe_file(struct fw_ingest_pipe *p, size_t i,
                           fw_progress_fn progress, void *progress_ctx,
                           struct fw_ingest_result *res, struct fw_diag *d)
{
    struct fw_ingest_result local;
    if (res == NULL) {
        res = &local;
    }
    int parsed = wait_slot(p, i);

    int done = 0;
    fw_err err = FW_OK;
    if (parsed) {
        err = write_slot(p, i, progress, progress_ctx, res, d, &done);
    }
    if (!done) {
        /* not parsed ahead, or failed: the serial way gives the exact
         * result or error, and a failed file leaves the store unchanged */
        err =
            fw_ingest_file(p->st, p->paths[i], progress, progress_ctx, res, d);
    }
    pthread_mutex_lock(&p->mu);
    if (i < p->n) {
        if (parsed) {
            batch_free(&p->slots[i].batch);
        }
        p->consumed = i + 1;
        pthread_cond_broadcast(&p->cv);
    }
    pthread_mutex_unlock(&p->mu);
    return err;
}
