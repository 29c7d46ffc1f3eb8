/*
 * api_feeds.c - the warning feeds (feeds.h): /feeds/atom.xml and
 * /feeds/cap.xml for ?place= or ?oblast=, over the window [from, to]
 * (default: the 182 days up to today). cap.xml is one CAP 1.2 document:
 * the alert of the newest change, or with &alert=ID the alert of that
 * change; the Atom feed lists every change and links to each alert.
 */
#include <stdlib.h>
#include <string.h>

#include "api_int.h"
#include "frontwatch/date.h"
#include "frontwatch/feeds.h"
#include "frontwatch/oblast.h"

#define WINDOW_DAYS 182

struct feed {
    struct fw_feed_change *c;
    size_t n;
    char title[256];
    char query[FW_API_MAX_URL]; /* place=..&oblast=..&from=..&to=.. */
    void *area_wkb;
    size_t area_wkb_len;
};

/* Appends "name=value&" URL-encoded to q. */
static void add_query(char *q, size_t cap, const char *name,
                      const char *value)
{
    size_t len = strlen(q);
    int n = snprintf(q + len, cap - len, "%s%s=", len ? "&" : "", name);
    if (n < 0) {
        return;
    }
    len += (size_t)n;
    for (const unsigned char *p = (const unsigned char *)value;
         *p && len + 4 < cap; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
            (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' ||
            *p == '.') {
            q[len++] = (char)*p;
        } else {
            len += (size_t)snprintf(q + len, cap - len, "%%%02X", *p);
        }
    }
    q[len] = '\0';
}

/* The changes the request asks for. Returns 0, or -1 after the error. */
static int load_feed(struct api_req *rq, struct api_resp *rs, struct feed *fd)
{
    memset(fd, 0, sizeof *fd);
    const char *place = api_param(rq, "place");
    const char *oblast = api_param(rq, "oblast");
    int64_t from_s, to_s;
    if ((place == NULL) == (oblast == NULL)) {
        api_error(rs, 400, "bad_parameter",
                  "place or oblast: give one (a place id or name, or an "
                  "oblast as UA-63 or Kharkiv)");
        return -1;
    }
    if (api_param_day(rq, rs, "to", rq->today_s, &to_s) != 0 ||
        api_param_day(rq, rs, "from", to_s - WINDOW_DAYS * (int64_t)FW_DAY_S,
                      &from_s) != 0) {
        return -1;
    }
    if (from_s > to_s) {
        api_error(rs, 400, "bad_parameter", "from: after to");
        return -1;
    }
    struct fw_diag d;
    fw_diag_reset(&d);
    struct api_ctx *c = rq->ctx;
    int64_t *ids = NULL, one = 0;
    size_t n_ids = 0;
    fw_err err = FW_OK;
    if (place != NULL) {
        struct fw_place p;
        rq->arg = place;
        if (api_place(rq, rs, &p) != 0) {
            return -1;
        }
        one = p.id;
        ids = &one;
        n_ids = 1;
        snprintf(fd->title, sizeof fd->title, "%s", p.name);
        char id[32];
        snprintf(id, sizeof id, "%lld", (long long)p.id);
        add_query(fd->query, sizeof fd->query, "place", id);
    } else {
        const struct fw_oblast *o = fw_oblast_by_name(oblast);
        if (o == NULL) {
            api_error(rs, 400, "bad_parameter",
                      "oblast: an oblast as UA-63, Kharkiv or Харківська");
            return -1;
        }
        err = fw_feeds_oblast_places(c->st, o->iso,
                                     FW_FEEDS_OBLAST_MIN_POPULATION, &ids,
                                     &n_ids, &d);
        if (err == FW_OK) {
            err = fw_feeds_oblast_boundary(c->st, o->iso, &fd->area_wkb,
                                           &fd->area_wkb_len, &d);
            if (err == FW_ENOTFOUND) {
                err = FW_OK; /* no boundary stored: the places' circles */
            }
        }
        snprintf(fd->title, sizeof fd->title, "%s oblast", o->name_en);
        add_query(fd->query, sizeof fd->query, "oblast", o->iso);
    }
    char a[11], b[11];
    fw_date_format_day(from_s, a);
    fw_date_format_day(to_s, b);
    add_query(fd->query, sizeof fd->query, "from", a);
    add_query(fd->query, sizeof fd->query, "to", b);
    if (err == FW_OK && n_ids == 0) {
        err = fw_diag_set(&d, FW_ENOTFOUND, 0, 0,
                          "the oblast has no place of %d people or more in "
                          "the store",
                          FW_FEEDS_OBLAST_MIN_POPULATION);
    }
    if (err == FW_OK) {
        if (!api_heavy_enter(rq, rs)) {
            if (ids != &one) {
                free(ids);
            }
            free(fd->area_wkb);
            return -1;
        }
        err = fw_feeds_changes(c->fc, c->st, c->g, ids, n_ids, from_s, to_s,
                               &fd->c, &fd->n, &d);
        api_heavy_leave(rq);
    }
    if (ids != &one) {
        free(ids);
    }
    if (err != FW_OK) {
        free(fd->area_wkb);
        api_fail(rs, err == FW_ELIMIT ? FW_EUSAGE : err, &d);
        return -1;
    }
    return 0;
}

static void feed_free(struct feed *fd)
{
    free(fd->c);
    free(fd->area_wkb);
}

static struct fw_feeds_meta feed_meta(const struct api_req *rq,
                                      const struct feed *fd, char *self,
                                      size_t cap)
{
    snprintf(self, cap, "/feeds/atom.xml?%s", fd->query);
    struct fw_feeds_meta m = {
        .sender = "frontwatch@localhost",
        .base_url = rq->base_url,
        .title = fd->title,
        .self_path = self,
        .generated_s = rq->today_s,
        .feed_query = fd->query,
        .area_wkb = fd->area_wkb,
        .area_wkb_len = fd->area_wkb_len,
    };
    return m;
}

void api_feed_atom(struct api_req *rq, struct api_resp *rs)
{
    struct feed fd;
    if (load_feed(rq, rs, &fd) != 0) {
        return;
    }
    char self[FW_API_MAX_URL + 32];
    struct fw_feeds_meta m = feed_meta(rq, &fd, self, sizeof self);
    api_ok(rs, "application/atom+xml; charset=utf-8");
    fw_feeds_write_atom(fd.c, fd.n, &m, rs->f);
    feed_free(&fd);
}

void api_feed_cap(struct api_req *rq, struct api_resp *rs)
{
    struct feed fd;
    if (load_feed(rq, rs, &fd) != 0) {
        return;
    }
    const char *want = api_param(rq, "alert");
    size_t upto = fd.n; /* the newest change */
    if (want != NULL) {
        upto = 0;
        for (size_t i = 0; i < fd.n && upto == 0; i++) {
            char id[96];
            fw_feeds_cap_identifier(&fd.c[i], id, sizeof id);
            if (strcmp(id, want) == 0) {
                upto = i + 1;
            }
        }
    }
    if (upto == 0) {
        api_error(rs, 404, "not_found",
                  want ? "alert: no such alert in this feed's window"
                       : "no change of level in the window: no alert");
        feed_free(&fd);
        return;
    }
    char self[FW_API_MAX_URL + 32];
    struct fw_feeds_meta m = feed_meta(rq, &fd, self, sizeof self);
    api_ok(rs, "application/cap+xml; charset=utf-8");
    fw_feeds_write_cap(fd.c, upto, &m, rs->f);
    feed_free(&fd);
}
