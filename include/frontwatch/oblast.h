/*
 * oblast.h - the 27 first-level regions of Ukraine and their names in each
 * source.
 *
 * Sources name an oblast in different ways: GeoNames by its own admin1
 * number ("07"), the KSE tables in Ukrainian ("Харківська"), the alert data
 * by transliteration ("Kharkivska oblast"), boundaries by ISO 3166-2
 * ("UA-63"), the humanitarian tables (IOM DTM, OCHA's COD-AB) by their
 * P-code ("UA63"). This fixed table (ISO 3166-2:UA) joins them; frontwatch
 * keys every oblast by its ISO code.
 *
 * P-codes are the two-digit KOATUU region numbers behind "UA", which equal
 * the ISO number for most oblasts but not all: Luhansk is UA44 (ISO
 * UA-09), Chernivtsi UA73 (UA-77), Kyiv City UA80 (UA-30), Sevastopol UA85
 * (UA-40), Crimea UA01 (UA-43). A P-code must be looked up, never made
 * from the ISO code.
 */
#ifndef FRONTWATCH_OBLAST_H
#define FRONTWATCH_OBLAST_H

#include <stddef.h>

struct fw_oblast {
    const char *iso;        /* "UA-63" */
    const char *name_en;    /* "Kharkiv" */
    const char *name_uk; /* "Харківська" (adjective, as the KSE tables;
                            "м. Київ" for the city) */
    const char *alert_name; /* "Kharkivska oblast" (alerts CSV) */
    const char *geonames;   /* GeoNames admin1 code, "07" */
    const char *pcode;      /* OCHA / IOM P-code, "UA63" */
};

size_t fw_oblast_count(void);

/* The i-th oblast (i < fw_oblast_count()), static storage. */
const struct fw_oblast *fw_oblast_at(size_t i);

/* Whether o is an oblast, so that its English name takes " oblast" and
 * its Ukrainian " область": 0 for Kyiv City, Sevastopol and Crimea (an
 * autonomous republic), which are none. */
int fw_oblast_is_oblast(const struct fw_oblast *o);

/* Lookups; each returns NULL when nothing matches. */
const struct fw_oblast *fw_oblast_by_iso(const char *iso);
const struct fw_oblast *fw_oblast_by_geonames(const char *admin1);
const struct fw_oblast *fw_oblast_by_alert_name(const char *name);
/* "UA63" (upper case, exactly; IOM DTM's placeholders such as "Temp03"
 * and "n/a" match nothing). */
const struct fw_oblast *fw_oblast_by_pcode(const char *pcode);

/* Accepts "Харківська", "Харківська область", "Kharkiv", "Kharkiv Oblast",
 * "Kharkivska oblast" or "UA-63" (any case, via fw_text_key), and the
 * cities and Crimea as the sources write them: "м. Київ", "Місто Київ",
 * "Kyiv City", "м. Севастополь", "Автономна Республіка Крим". */
const struct fw_oblast *fw_oblast_by_name(const char *name);

#endif
