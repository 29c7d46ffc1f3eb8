/*
 * oblast.c - the fixed table of Ukraine's oblasts (see oblast.h).
 * GeoNames admin1 numbers are checked against the oblast boundaries by
 * point-in-polygon: 2,844 of 2,851 places agree, 7 lie on a border
 * (tests/unit/test_facts.c).
 */
#include "frontwatch/oblast.h"

#include <string.h>

#include "frontwatch/text.h"

static const struct fw_oblast OBLASTS[] = {
    {"UA-05", "Vinnytsia", "Вінницька", "Vinnytska oblast", "23", "UA05"},
    {"UA-07", "Volyn", "Волинська", "Volynska oblast", "24", "UA07"},
    {"UA-09", "Luhansk", "Луганська", "Luhanska oblast", "14", "UA44"},
    {"UA-12", "Dnipropetrovsk", "Дніпропетровська", "Dnipropetrovska oblast",
     "04", "UA12"},
    {"UA-14", "Donetsk", "Донецька", "Donetska oblast", "05", "UA14"},
    {"UA-18", "Zhytomyr", "Житомирська", "Zhytomyrska oblast", "27", "UA18"},
    {"UA-21", "Zakarpattia", "Закарпатська", "Zakarpatska oblast", "25", "UA21"},
    {"UA-23", "Zaporizhzhia", "Запорізька", "Zaporizka oblast", "26", "UA23"},
    {"UA-26", "Ivano-Frankivsk", "Івано-Франківська",
     "Ivano-Frankivska oblast", "06", "UA26"},
    {"UA-30", "Kyiv City", "м. Київ", "Kyiv City", "12", "UA80"},
    {"UA-32", "Kyiv", "Київська", "Kyivska oblast", "13", "UA32"},
    {"UA-35", "Kirovohrad", "Кіровоградська", "Kirovohradska oblast", "10", "UA35"},
    {"UA-40", "Sevastopol", "Севастополь", "Sevastopol City", "20", "UA85"},
    {"UA-43", "Crimea", "Автономна Республіка Крим",
     "Avtonomna Respublika Krym", "11", "UA01"},
    {"UA-46", "Lviv", "Львівська", "Lvivska oblast", "15", "UA46"},
    {"UA-48", "Mykolaiv", "Миколаївська", "Mykolaivska oblast", "16", "UA48"},
    {"UA-51", "Odesa", "Одеська", "Odeska oblast", "17", "UA51"},
    {"UA-53", "Poltava", "Полтавська", "Poltavska oblast", "18", "UA53"},
    {"UA-56", "Rivne", "Рівненська", "Rivnenska oblast", "19", "UA56"},
    {"UA-59", "Sumy", "Сумська", "Sumska oblast", "21", "UA59"},
    {"UA-61", "Ternopil", "Тернопільська", "Ternopilska oblast", "22", "UA61"},
    {"UA-63", "Kharkiv", "Харківська", "Kharkivska oblast", "07", "UA63"},
    {"UA-65", "Kherson", "Херсонська", "Khersonska oblast", "08", "UA65"},
    {"UA-68", "Khmelnytskyi", "Хмельницька", "Khmelnytska oblast", "09", "UA68"},
    {"UA-71", "Cherkasy", "Черкаська", "Cherkaska oblast", "01", "UA71"},
    {"UA-74", "Chernihiv", "Чернігівська", "Chernihivska oblast", "02", "UA74"},
    {"UA-77", "Chernivtsi", "Чернівецька", "Chernivetska oblast", "03", "UA73"},
};

#define N_OBLASTS (sizeof OBLASTS / sizeof OBLASTS[0])

size_t fw_oblast_count(void) { return N_OBLASTS; }

const struct fw_oblast *fw_oblast_at(size_t i)
{
    return i < N_OBLASTS ? &OBLASTS[i] : NULL;
}

const struct fw_oblast *fw_oblast_by_iso(const char *iso)
{
    for (size_t i = 0; i < N_OBLASTS; i++) {
        if (strcmp(OBLASTS[i].iso, iso) == 0) {
            return &OBLASTS[i];
        }
    }
    return NULL;
}

const struct fw_oblast *fw_oblast_by_geonames(const char *admin1)
{
    for (size_t i = 0; i < N_OBLASTS; i++) {
        if (strcmp(OBLASTS[i].geonames, admin1) == 0) {
            return &OBLASTS[i];
        }
    }
    return NULL;
}

const struct fw_oblast *fw_oblast_by_alert_name(const char *name)
{
    for (size_t i = 0; i < N_OBLASTS; i++) {
        if (strcmp(OBLASTS[i].alert_name, name) == 0) {
            return &OBLASTS[i];
        }
    }
    return NULL;
}

const struct fw_oblast *fw_oblast_by_pcode(const char *pcode)
{
    for (size_t i = 0; i < N_OBLASTS; i++) {
        if (strcmp(OBLASTS[i].pcode, pcode) == 0) {
            return &OBLASTS[i];
        }
    }
    return NULL;
}

/* Drops a trailing " oblast" / " oblasti" / " obl" word from a key. */
static void strip_oblast_word(char *key)
{
    static const char *suffixes[] = {" oblast", " oblasti", " obl"};
    size_t len = strlen(key);
    for (size_t k = 0; k < 3; k++) {
        size_t sl = strlen(suffixes[k]);
        if (len > sl && strcmp(key + len - sl, suffixes[k]) == 0) {
            key[len - sl] = '\0';
            return;
        }
    }
}

/* Names of the two cities with oblast status and of Crimea as the
 * Ukrainian sources write them ("м." and "Місто" both mean city). */
static const struct {
    const char *key;
    const char *iso;
} ALIASES[] = {
    {"m kyiv", "UA-30"},          {"misto kyiv", "UA-30"},
    {"kyiv city", "UA-30"},       {"m sevastopol", "UA-40"},
    {"misto sevastopol", "UA-40"}, {"sevastopol city", "UA-40"},
    {"avtonomna respublika krym", "UA-43"},
    {"autonomous republic of crimea", "UA-43"},
};

const struct fw_oblast *fw_oblast_by_name(const char *name)
{
    if (fw_oblast_by_iso(name) != NULL) {
        return fw_oblast_by_iso(name);
    }
    char want[128];
    if (fw_text_key(name, want, sizeof want) != FW_OK) {
        return NULL;
    }
    for (size_t i = 0; i < sizeof ALIASES / sizeof ALIASES[0]; i++) {
        if (strcmp(want, ALIASES[i].key) == 0) {
            return fw_oblast_by_iso(ALIASES[i].iso);
        }
    }
    strip_oblast_word(want);
    for (size_t i = 0; i < N_OBLASTS; i++) {
        const char *cands[3] = {OBLASTS[i].name_en, OBLASTS[i].name_uk,
                                OBLASTS[i].alert_name};
        for (size_t k = 0; k < 3; k++) {
            char key[128];
            if (fw_text_key(cands[k], key, sizeof key) != FW_OK) {
                continue;
            }
            strip_oblast_word(key);
            if (strcmp(key, want) == 0) {
                return &OBLASTS[i];
            }
        }
    }
    return NULL;
}

int fw_oblast_is_oblast(const struct fw_oblast *o)
{
    return o != NULL && strcmp(o->iso, "UA-30") != 0 &&
           strcmp(o->iso, "UA-40") != 0 && strcmp(o->iso, "UA-43") != 0;
}
