/*
 * update.h - today's data from the sources' public addresses: what is new
 * is fetched (fetch.h), checked, and ingested through the normal
 * transactional ingest (ingest.h), one source at a time.
 *
 * Data flow: source URLs -> fetch -> temporary file -> checks -> ingest ->
 * store. A download that fails or does not pass the checks never reaches
 * the store; a source that fails leaves the store as it was for that
 * source (files of it ingested earlier in the same run stay: each file is
 * its own transaction, and what landed is whole). A map or day whose file
 * its reader refuses is skipped and the ones after it still come in (one
 * bad file upstream must not hold back every later one); the source then
 * fails with that file's error. Conditional-request
 * state (ETag, Last-Modified, sha256, size) is kept per URL in the store's
 * http_cache table, each source's last try, success and error in
 * source_state. Tokens are sent, never stored or put in messages.
 *
 * Sources (their names are the CLI's --source and --url names):
 *  - deepstate: DeepStateMap's history. The list /api/history/public gives
 *    every map's id (its Unix time); each map newer than the store's newest
 *    is fetched from /api/history/{id}/geojson, one per UTC day (the day's
 *    newest). When the list is refused (401, 403, 404), the newest map from
 *    /api/history/last ({"id", "map"}) is taken instead and the report says
 *    so.
 *  - deepstate_occupied: cyterat/deepstate-map-data. When the store lacks
 *    more than the last FW_UPDATE_PROBE_DAYS days, the consolidated
 *    deepstate-map-data.geojson.gz (a feature per day) is fetched and split
 *    into one occupied-union file per day; then the daily files
 *    data/deepstatemap_data_YYYYMMDD.geojson of the last days are asked
 *    for (404: not published yet, no error).
 *  - alerts_official, alerts_volunteer: the air-raid sirens dataset's CSV
 *    files, whole, conditionally; a cumulative file that shrinks by more
 *    than a tenth is refused.
 *  - alerts_in_ua: the alerts.in.ua history of each region
 *    (/v1/regions/{uid}/alerts/month_ago.json), only with a token, at most
 *    one request per interval_ms (the API allows a few a minute); an
 *    answer with no alert (a quiet region) is not ingested.
 */
#ifndef FRONTWATCH_UPDATE_H
#define FRONTWATCH_UPDATE_H

#include <stddef.h>
#include <stdint.h>

#include "frontwatch/err.h"
#include "frontwatch/fetch.h"
#include "frontwatch/store.h"

enum fw_update_source {
    FW_UPDATE_DEEPSTATE = 0,
    FW_UPDATE_DEEPSTATE_OCCUPIED,
    FW_UPDATE_ALERTS_OFFICIAL,
    FW_UPDATE_ALERTS_VOLUNTEER,
    FW_UPDATE_ALERTS_IN_UA,
    FW_UPDATE_N_SOURCES
};

/* Daily occupied-union files asked for one by one (older days come from
 * the consolidated file). */
#define FW_UPDATE_PROBE_DAYS 10

/* Without --since, an empty store gets this much history. */
#define FW_UPDATE_DEFAULT_DAYS 30

/* alerts.in.ua regions asked for by default: every oblast and Kyiv city
 * but Luhansk oblast (16), Crimea (29) and Sevastopol (30), whose sirens
 * never stop. */
#define FW_UPDATE_IN_UA_DEFAULT_REGIONS                                        \
    "3,4,5,8,9,10,11,12,13,14,15,17,18,19,20,21,22,23,24,25,26,27,28,31"

/* Pause between two alerts.in.ua requests unless told otherwise: the API
 * allows two history requests a minute per token. */
#define FW_UPDATE_IN_UA_INTERVAL_MS 31000

/* What a source is (static data). */
struct fw_update_source_info {
    const char *name;         /* "deepstate" */
    const char *default_url;  /* what --url NAME=URL overrides */
    const char *what;         /* one line for `sources` */
    const char *licence;      /* as the source states it */
    const char *store_source; /* snapshot.source or alert.source */
    int is_map;               /* 1: snapshots, 0: alerts */
    int cadence_s;            /* how often it usually has new data */
};

/* The source's description (never NULL for a valid s). */
const struct fw_update_source_info *
fw_update_source_info(enum fw_update_source s);

/* The source named name; FW_ENOTFOUND when there is none. */
fw_err fw_update_source_by_name(const char *name, enum fw_update_source *out);

struct fw_update_opts {
    const char *url;           /* the source's address; NULL: default_url */
    int64_t since_s;           /* > 0: fetch history from this time on (maps
                                  and days already stored are skipped) */
    int64_t now_s;             /* the clock (tests set it); 0: time(NULL) */
    const char *token;         /* alerts_in_ua: required, borrowed */
    const char *in_ua_regions; /* "14,31"; NULL: the default list */
    long interval_ms;          /* alerts_in_ua pause; 0: the default */
    const char *work_dir;      /* temporary files go to a new folder in it;
                                  NULL: $TMPDIR or /tmp */
    /* Progress: what is being done ("map 2024-01-05"), i of n. */
    void (*progress)(void *ctx, const char *what, size_t i, size_t n);
    void *progress_ctx;
};

struct fw_update_report {
    int is_skipped;       /* nothing tried (alerts_in_ua: no token) */
    char note[512];       /* why skipped, or a fallback taken, or "" */
    long n_requests;      /* requests sent (with retries) */
    long long wire_bytes; /* bytes received */
    long n_not_modified;  /* 304 answers */
    long n_files_new;     /* files ingested */
    long n_files_same;    /* files whose content was already stored */
    long n_refused;       /* files fetched but refused by the checks */
    long n_records_new;   /* snapshots or alerts added */
    int64_t newest_s;     /* the source's newest data in the store
                             afterwards, 0 when none */
};

/* Fetches what is new from source s and ingests it into st, using f for
 * every request; records the attempt in source_state (and its error, if
 * any). rep is filled also on error. On error d says what failed: the
 * URL, and the file's line or feature when a download was refused by its
 * reader. Errors: those of fw_fetch_get and fw_ingest_file, FW_EUSAGE (an
 * unusable URL or option), FW_EIO (work folder). */
fw_err fw_update_run(fw_store *st, fw_fetch *f, enum fw_update_source s,
                     const struct fw_update_opts *o,
                     struct fw_update_report *rep, struct fw_diag *d);

/* What `sources` shows for one source. */
struct fw_update_status {
    int64_t last_try_s;     /* 0: never */
    int64_t last_success_s; /* 0: never */
    char last_error[512];   /* "" when the last try succeeded */
    char last_url[1024];    /* URL of the last try, "" if none */
    int64_t newest_s;       /* newest data of the source in the store,
                               0 when none (maps: publication; alerts:
                               start) */
};

/* Reads source s's state from st. Errors: FW_ESQL. */
fw_err fw_update_status(fw_store *st, enum fw_update_source s,
                        struct fw_update_status *out, struct fw_diag *d);

/* Whether a source whose newest data is from newest_s (0: none) is stale
 * at now_s: older than twice its usual cadence, and at least two days. */
int fw_update_is_stale(const struct fw_update_source_info *info,
                       int64_t now_s, int64_t newest_s);

/* An exclusive lock for one update of the store at store_path (a file
 * store_path + ".update-lock", held with flock until released; the
 * system drops it if the process dies). Errors: FW_EBUSY (another process
 * holds it: d says so), FW_EIO. *fd_out is set on success. */
fw_err fw_update_lock(const char *store_path, int *fd_out, struct fw_diag *d);

/* Releases the lock; accepts -1. */
void fw_update_unlock(int fd);

#endif
