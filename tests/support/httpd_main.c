/*
 * httpd_main.c - fw_test_httpd, the loopback test server (fw_httpd.h) as
 * a program for shell tests:
 *
 *   fw_test_httpd --data DIR [--token T] [--port N] [--port-file FILE]
 *
 * It listens on 127.0.0.1 only, on port N (default 0: a free port chosen
 * by the system), and tells the port it got: written as "N\n" to FILE
 * (atomically: a temporary file in the same folder, then renamed, so a
 * script that sees FILE can read the whole number), or else printed as
 * "port N" on stdout. It then serves until SIGTERM or SIGINT, stops
 * cleanly and exits 0. Faults are queued and counts read over HTTP
 * (/_control/, tests/support/README.md). Exit codes: 0 after a signal, 2
 * usage, 3 the server could not start or the port could not be written.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fw_httpd.h"

static volatile sig_atomic_t got_signal = 0;

static void on_signal(int sig)
{
    (void)sig;
    got_signal = 1;
}

static int usage(const char *why)
{
    fprintf(stderr,
            "fw_test_httpd: %s\n"
            "usage: fw_test_httpd --data DIR [--token T] [--port N] "
            "[--port-file FILE]\n",
            why);
    return 2;
}

/* Writes "port\n" to path through path.tmp.<pid> and a rename. */
static int write_port_file(const char *path, int port)
{
    char tmp[4096];
    int n = snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    if (n < 0 || (size_t)n >= sizeof tmp) {
        fprintf(stderr, "fw_test_httpd: %s: path too long\n", path);
        return -1;
    }
    FILE *f = fopen(tmp, "w");
    if (f == NULL) {
        perror(tmp);
        return -1;
    }
    int ok = fprintf(f, "%d\n", port) > 0;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        perror(path);
        (void)remove(tmp);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct fw_httpd_opts opts = {NULL, NULL, 0};
    const char *port_file = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (i + 1 >= argc) {
            return usage("every option takes a value");
        }
        const char *v = argv[++i];
        if (strcmp(a, "--data") == 0) {
            opts.data_dir = v;
        } else if (strcmp(a, "--token") == 0) {
            opts.token = v;
        } else if (strcmp(a, "--port") == 0) {
            char *end = NULL;
            long port = strtol(v, &end, 10);
            if (end == v || *end != '\0' || port < 0 || port > 65535) {
                return usage("--port wants a number in 0..65535");
            }
            opts.port = (int)port;
        } else if (strcmp(a, "--port-file") == 0) {
            port_file = v;
        } else {
            return usage("unknown option");
        }
    }
    if (opts.data_dir == NULL) {
        return usage("--data is required");
    }

    /* SIGTERM and SIGINT are blocked before the server's threads exist, so
     * that they inherit the mask and the signal reaches this thread, which
     * waits for it in sigsuspend (no race between a check and a wait). */
    sigset_t stop_set;
    sigset_t old_set;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    if (sigemptyset(&stop_set) != 0 || sigaddset(&stop_set, SIGTERM) != 0 ||
        sigaddset(&stop_set, SIGINT) != 0 || sigemptyset(&sa.sa_mask) != 0 ||
        sigaction(SIGTERM, &sa, NULL) != 0 ||
        sigaction(SIGINT, &sa, NULL) != 0 ||
        sigprocmask(SIG_BLOCK, &stop_set, &old_set) != 0) {
        perror("fw_test_httpd: signals");
        return 3;
    }

    fw_httpd *h = NULL;
    int port = 0;
    struct fw_diag d;
    fw_diag_reset(&d);
    fw_err err = fw_httpd_start(&opts, &h, &port, &d);
    if (err != FW_OK) {
        fprintf(stderr, "fw_test_httpd: %s: %s\n", fw_strerror(err), d.msg);
        return err == FW_EUSAGE ? 2 : 3;
    }
    int status = 0;
    if (port_file != NULL) {
        if (write_port_file(port_file, port) != 0) {
            status = 3;
        }
    } else if (printf("port %d\n", port) < 0 || fflush(stdout) != 0) {
        perror("fw_test_httpd: stdout");
        status = 3;
    }
    sigset_t wait_set = old_set;
    if (sigdelset(&wait_set, SIGTERM) != 0 ||
        sigdelset(&wait_set, SIGINT) != 0) {
        perror("fw_test_httpd: signals");
        status = 3;
    }
    while (status == 0 && !got_signal) {
        (void)sigsuspend(&wait_set); /* always -1 EINTR */
    }
    fw_httpd_stop(h);
    return status;
}
