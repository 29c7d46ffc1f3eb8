/*
 * date.c - proleptic Gregorian calendar arithmetic in UTC (see date.h).
 * Uses Howard Hinnant's days-from-civil so that no time zone or locale
 * of the machine can change a result.
 */
#include "frontwatch/date.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

int64_t fw_date_from_civil(int y, int m, int d, int h, int mi, int s)
{
    return days_from_civil(y, m, d) * FW_DAY_S + (int64_t)h * 3600 +
           (int64_t)mi * 60 + s;
}

static int days_in_month(int y, int m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30,
                               31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) {
        return 29;
    }
    return dm[m - 1];
}

/* Reads exactly n digits at *p into *v; advances *p. */
static int digits(const char **p, int n, int *v)
{
    int x = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i])) {
            return 0;
        }
        x = x * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *v = x;
    return 1;
}

static fw_err parse_ymd(const char **p, int *y, int *m, int *d)
{
    if (!digits(p, 4, y) || **p != '-') {
        return FW_EPARSE;
    }
    (*p)++;
    if (!digits(p, 2, m) || **p != '-') {
        return FW_EPARSE;
    }
    (*p)++;
    if (!digits(p, 2, d)) {
        return FW_EPARSE;
    }
    if (*m < 1 || *m > 12 || *d < 1 || *d > days_in_month(*y, *m) ||
        *y < 1900 || *y > 2200) {
        return FW_ERANGE;
    }
    return FW_OK;
}

fw_err fw_date_parse_day(const char *s, int64_t *t_unix_s)
{
    int y, m, d;
    const char *p = s;
    fw_err err = parse_ymd(&p, &y, &m, &d);
    if (err != FW_OK) {
        return err;
    }
    if (*p != '\0') {
        return FW_EPARSE;
    }
    *t_unix_s = fw_date_from_civil(y, m, d, 0, 0, 0);
    return FW_OK;
}

fw_err fw_date_parse_timestamp(const char *s, int64_t *t_unix_s)
{
    int y, m, d, h = 0, mi = 0, sec = 0;
    const char *p = s;
    fw_err err = parse_ymd(&p, &y, &m, &d);
    if (err != FW_OK) {
        return err;
    }
    if (*p == ' ' || *p == 'T') {
        p++;
        if (!digits(&p, 2, &h) || *p != ':') {
            return FW_EPARSE;
        }
        p++;
        if (!digits(&p, 2, &mi)) {
            return FW_EPARSE;
        }
        if (*p == ':') {
            p++;
            if (!digits(&p, 2, &sec)) {
                return FW_EPARSE;
            }
            if (*p == '.') {
                p++;
                if (!isdigit((unsigned char)*p)) {
                    return FW_EPARSE;
                }
                while (isdigit((unsigned char)*p)) {
                    p++;
                }
            }
        }
        if (h > 23 || mi > 59 || sec > 60) {
            return FW_ERANGE;
        }
    }
    int off_s = 0;
    if (*p == 'Z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1;
        int oh, om = 0;
        p++;
        if (!digits(&p, 2, &oh)) {
            return FW_EPARSE;
        }
        if (*p == ':') {
            p++;
        }
        if (isdigit((unsigned char)*p) && !digits(&p, 2, &om)) {
            return FW_EPARSE;
        }
        if (oh > 14 || om > 59) {
            return FW_ERANGE;
        }
        off_s = sign * (oh * 3600 + om * 60);
    }
    if (*p != '\0') {
        return FW_EPARSE;
    }
    *t_unix_s = fw_date_from_civil(y, m, d, h, mi, sec) - off_s;
    return FW_OK;
}

int64_t fw_date_floor_day(int64_t t_unix_s)
{
    int64_t days = t_unix_s >= 0 ? t_unix_s / FW_DAY_S
                                 : -((-t_unix_s + FW_DAY_S - 1) / FW_DAY_S);
    return days * FW_DAY_S;
}

void fw_date_format_day(int64_t t_unix_s, char buf[11])
{
    int y, m, d;
    civil_from_days(fw_date_floor_day(t_unix_s) / FW_DAY_S, &y, &m, &d);
    char tmp[48];
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", y % 10000, m, d);
    memcpy(buf, tmp, 10);
    buf[10] = '\0';
}

void fw_date_format_iso(int64_t t_unix_s, char buf[21])
{
    int y, m, d;
    int64_t day = fw_date_floor_day(t_unix_s);
    int64_t sod = t_unix_s - day;
    civil_from_days(day / FW_DAY_S, &y, &m, &d);
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02dT%02d:%02d:%02dZ", y % 10000, m,
             d, (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60));
    memcpy(buf, tmp, 20);
    buf[20] = '\0';
}

/* 01:00 UTC of the last Sunday of month m of year y. */
static int64_t last_sunday_0100_utc(int y, int m)
{
    int ny = m == 12 ? y + 1 : y, nm = m == 12 ? 1 : m + 1;
    int64_t last = fw_date_from_civil(ny, nm, 1, 0, 0, 0) - FW_DAY_S;
    int64_t days = last / FW_DAY_S;
    /* 1970-01-01 was a Thursday: (days + 4) % 7 is 0 on Sundays */
    int64_t dow = ((days + 4) % 7 + 7) % 7;
    return last - dow * FW_DAY_S + 3600;
}

int fw_date_kyiv_offset_s(int64_t t_unix_s)
{
    int y, m, d;
    civil_from_days(fw_date_floor_day(t_unix_s) / FW_DAY_S, &y, &m, &d);
    int is_summer = t_unix_s >= last_sunday_0100_utc(y, 3) &&
                    t_unix_s < last_sunday_0100_utc(y, 10);
    return is_summer ? 3 * 3600 : 2 * 3600;
}

int64_t fw_date_kyiv_day(int64_t t_unix_s)
{
    return fw_date_floor_day(t_unix_s + fw_date_kyiv_offset_s(t_unix_s));
}
