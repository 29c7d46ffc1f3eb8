/*
 * server.h - the HTTP service: civetweb in front of the answers of api.h.
 * Read-only; every request is answered by fw_api_answer, and the server
 * adds HTTP's part: ETag and Last-Modified from the store's data version
 * with 304 answers, gzip, CORS for GET, limits on request size and time,
 * and an access log line per request.
 *
 * Data flow: api -> server -> the network.
 */
#ifndef FRONTWATCH_SERVER_H
#define FRONTWATCH_SERVER_H

#include <stdio.h>

#include "frontwatch/api.h"
#include "frontwatch/err.h"

/* Request line and headers at most this many bytes (beyond, civetweb
 * answers 400 "Malformed message" in plain text and closes), and read
 * within this time (a client that sends them slowly is cut off). */
#define FW_SERVER_MAX_HEADER_BYTES 8192
#define FW_SERVER_REQUEST_TIMEOUT_MS 10000

struct fw_server_config {
    const char *bind;         /* address to listen on, "127.0.0.1" (NULL) */
    int port;                 /* 0: any free port (fw_server_port says) */
    int n_threads;            /* request threads; as many worker contexts
                                 as the api was made with */
    fw_api *api;              /* borrowed; outlives the server */
    FILE *access_log;         /* a line per request; NULL: none */
    int request_timeout_ms;   /* 0: FW_SERVER_REQUEST_TIMEOUT_MS */
};

typedef struct fw_server fw_server;

/* Starts listening and answering. Errors: FW_EIO (the port cannot be
 * bound: d says why), FW_EUSAGE, FW_ENOMEM. */
fw_err fw_server_start(const struct fw_server_config *cfg, fw_server **out,
                       struct fw_diag *d);

/* The port listened on. */
int fw_server_port(const fw_server *s);

/* Stops listening, waits for the requests in flight, frees s (NULL ok). */
void fw_server_stop(fw_server *s);

#endif
