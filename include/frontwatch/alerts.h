/*
 * alerts.h - readers of air-raid alerts (Ukrainian air-raid sirens
 * dataset): the official and volunteer CSVs, and states.json, the
 * hierarchy of alert regions (oblast / raion / hromada) with their ids;
 * and the alerts.in.ua history API answer (JSON, Ukrainian names).
 *
 * Quirks handled (see ../shared/data/README.md): CRLF line ends; UTC
 * offsets ("+00:00"); volunteer rows with naive=True (end assumed 30 min
 * after start, flagged is_naive); official rows whose oblast and raion
 * columns are swapped (repaired and reported via sink->repair); alerts
 * shorter than 30 s are kept.
 */
#ifndef FRONTWATCH_ALERTS_H
#define FRONTWATCH_ALERTS_H

#include <stddef.h>
#include <stdint.h>

#include "frontwatch/err.h"
#include "frontwatch/record.h"

/* Reads an alerts CSV from buf[0..len) (borrowed; need not be
 * NUL-terminated) and hands each alert to sink->alert.
 *
 * The header tells the kind, columns being found by name in any order:
 * official (oblast,raion,hromada,level,started_at,finished_at,source;
 * source is always "official", level from the level column, raion and
 * hromada NULL when empty) or volunteer (region,started_at,finished_at,
 * naive; source "volunteer", level FW_ALERT_OBLAST, is_naive from naive).
 *
 * A row is rejected (sink->reject with the line and a reason, reading goes
 * on) when its region is not an oblast of Ukraine, finished_at is empty,
 * it ends before it starts, it starts or ends in the future (more than a
 * day, FW_DAY_S, after the machine's clock when the read starts: no
 * source holds alerts that have not happened, a wrong year can; the day
 * absorbs time zones and clock skew), or an official raion/hromada-level
 * row has an empty raion/hromada column. A date that does not exist
 * (2023-02-30) is no data at all and fails the file (below). Duplicate
 * rows are not the reader's business: each reaches the sink (the store
 * keeps the first and rejects the others). An official row whose oblast
 * column holds a
 * raion and whose raion column holds an oblast is swapped back and
 * reported through sink->repair (just before its alert). sink->progress
 * gets (byte offset of the row, len) every 4096 rows and (len, len) at the
 * end. sink may be NULL, as may any callback: those records are dropped.
 *
 * Errors (the whole file fails; d->line is the 1-based line, d->col the
 * 1-based byte column of the bad field, 0 when the row as a whole is bad):
 * FW_EPARSE (unknown header or empty file, a row with a field count other
 * than the header's, a time that is not "YYYY-MM-DD HH:MM:SS+00:00"-like,
 * an unknown level, naive neither True nor False, and the CSV errors of
 * fw_csv_parse), FW_ERANGE (impossible date or time, e.g. 2023-02-30),
 * FW_ELIMIT and FW_ENOMEM (from fw_csv_parse), FW_EUSAGE (buf NULL), or
 * the error a sink callback returned, unchanged. Rows before the error
 * have already reached the sink; a sink that must be all-or-nothing (the
 * store's ingest, one transaction per file) discards them on error. */
fw_err fw_alerts_read_csv(const char *buf, size_t len,
                          const struct fw_sink *sink, struct fw_diag *d);

/* Reads states.json ({"states":[{stateName,stateId,districts:[{
 * districtName,districtId,communities:[{communityName,communityId}]}]}]})
 * from buf[0..len) (borrowed) and emits every region via sink->region,
 * each parent before its children: oblast (id stateId, parent 0), raion
 * (districtId, parent stateId), hromada (communityId, parent districtId).
 * Every record carries the oblast of its state (fw_oblast_by_name on
 * stateName; "м. Київ" is UA-30, "м. Севастополь" UA-40), NULL when the
 * name is unknown. sink and any callback may be NULL.
 *
 * Errors: FW_ELIMIT (brackets nested deeper than 64, checked before
 * parsing so that no document can exhaust the stack, at the 65th bracket;
 * a document over 64 MiB; see json.h), FW_EPARSE (invalid UTF-8, a NUL byte, not JSON, or text
 * after the document, with line and byte col as fw_json_parse gives them:
 * a truncated document at its end, "unexpected end of input (truncated
 * file?)"; a required member missing or of the wrong type, or an id that
 * is not a whole number in [0, 2^31): line/col 0 and the path in d->msg,
 * such as "states[3].districts[2].districtId: expected a number"),
 * FW_EUSAGE (buf NULL), or the error a sink callback returned, unchanged.
 */
fw_err fw_alerts_read_regions(const char *buf, size_t len,
                              const struct fw_sink *sink, struct fw_diag *d);

/* Reads one answer of the alerts.in.ua history API
 * (/v1/regions/{uid}/alerts/month_ago.json) from buf[0..len) (borrowed;
 * need not be NUL-terminated) and hands each air-raid alert to
 * sink->alert.
 *
 * Shape: {"alerts": [...], "meta": ..., "disclaimer": ...}; only "alerts"
 * is read. Each alert must have id (a whole number), location_title,
 * location_type, location_oblast, alert_type and started_at (strings),
 * finished_at (a string, or null while the alert is active) and may have
 * deleted_at (a string or null); other members (location_uid,
 * location_oblast_uid, updated_at, notes, country, calculated...) are not
 * read. Times are ISO-8601 with date, "T", time and zone:
 * "2026-06-21T09:19:29.000Z"; the fraction is optional and dropped, the
 * zone "Z" or an offset ("+00:00"; others are converted to UTC).
 *
 * Each alert becomes a record with source "alerts_in_ua"; location_type
 * gives the level: oblast -> FW_ALERT_OBLAST (raion and hromada NULL),
 * raion -> FW_ALERT_RAION (raion = location_title), hromada and city ->
 * FW_ALERT_HROMADA (hromada = location_title, raion NULL: the API does not
 * name it). The oblast comes from location_oblast, the Ukrainian name
 * ("Київська область" is UA-32, "м. Київ" UA-30), through
 * fw_oblast_by_name: location_oblast_uid is not reliable (in the Kyiv
 * oblast answer it is each raion's own location_uid, 73..79, never the
 * oblast's 14).
 * An active alert (finished_at null) has is_open = 1 and end_s = now_s,
 * or start_s if that is later; a finished one is_open = 0 and end_s from
 * finished_at. now_s is the time the answer was read (UTC seconds; passed
 * in, never read from the clock, so a read is repeatable).
 *
 * An alert is rejected (sink->reject with line 0, feature = its 0-based
 * index in "alerts" and a reason ending in "(alert id N)"; reading goes
 * on), for the first of these that holds: alert_type is not "air_raid"
 * ("not an air raid: artillery_shelling": only air raids count as alert
 * hours), deleted_at is not null ("deleted ..."), location_type is none
 * of oblast, raion, hromada, city ("unknown location_type ..."), a raion,
 * hromada or city with an empty location_title, location_oblast names no
 * oblast ("unknown oblast ..."), it ends before it starts ("alert ends
 * before it starts ..."), or it starts or ends more than a day (FW_DAY_S)
 * after now_s ("alert in the future ..."). sink->progress gets (alerts
 * done, alerts in all) every 50 alerts and (n, n) once at the end. sink
 * may be NULL, as may any callback: those records are dropped.
 *
 * d (may be NULL): its feature is set to -1 at the start; its file is
 * left as the caller set it. Errors (the whole file fails):
 *  - FW_EPARSE, FW_ELIMIT: the document is not JSON, with d->line and
 *    d->col (1-based byte column) as fw_json_parse gives them: invalid
 *    UTF-8 or a NUL byte, "unexpected end of input (truncated file?)" at
 *    the end of a truncated answer, "invalid JSON at ...", text after the
 *    document; nesting deeper than 64 or a document over 64 MiB
 *    (FW_ELIMIT; see json.h).
 *  - FW_EPARSE, line and col 0, feature -1: the root is not an object
 *    ("expected an object with an 'alerts' array"), "alerts" is missing
 *    ("alerts: missing (expected an array)") or not an array.
 *  - FW_EPARSE, line and col 0, d->feature the alert's index and the path
 *    in d->msg: an alert that is not an object ("alerts[3]: expected an
 *    object"), a member above missing or of the wrong type
 *    ("alerts[3].started_at: missing (expected a string)",
 *    "alerts[3].id: expected a whole number from 0 to 9007199254740991"),
 *    a time not in the form above ("alerts[3].started_at: expected an
 *    ISO-8601 UTC time such as 2026-06-21T09:19:29.000Z, found '...'").
 *  - FW_ERANGE, as the last: a time of that form that does not exist
 *    ("alerts[3].finished_at: '2026-02-30T10:00:00Z' is not a valid date
 *    and time ...").
 *  - FW_EUSAGE: buf is NULL.
 *  - the error a sink callback returned, unchanged, with d->feature the
 *    alert's index ("alerts[3]: the sink refused the alert: ...").
 * A malformed alert fails the file even when it would have been rejected:
 * every member is checked before the alert is judged. Alerts before the
 * error have already reached the sink; the store's ingest, one
 * transaction per file, discards them. */
fw_err fw_alerts_read_in_ua(const char *buf, size_t len, int64_t now_s,
                            const struct fw_sink *sink, struct fw_diag *d);

#endif
