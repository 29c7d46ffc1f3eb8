/*
 * season.c - the phase of the fighting season on a date (season.h).
 */
#include "frontwatch/season.h"

#include <stdio.h>
#include <stdlib.h>

#include "frontwatch/date.h"

enum fw_season fw_season_at(int64_t day_s)
{
    char ymd[11];
    fw_date_format_day(day_s, ymd);
    int month = atoi(ymd + 5);
    if (month >= 3 && month <= 4) {
        return FW_SEASON_SPRING_MUD;
    }
    if (month >= 5 && month <= 9) {
        return FW_SEASON_CAMPAIGN;
    }
    if (month >= 10 && month <= 11) {
        return FW_SEASON_AUTUMN_MUD;
    }
    return FW_SEASON_WINTER;
}

const char *fw_season_name(enum fw_season s)
{
    switch (s) {
    case FW_SEASON_SPRING_MUD: return "spring_mud";
    case FW_SEASON_CAMPAIGN: return "campaign";
    case FW_SEASON_AUTUMN_MUD: return "autumn_mud";
    case FW_SEASON_WINTER: break;
    }
    return "winter";
}

const char *fw_season_text(enum fw_season s)
{
    switch (s) {
    case FW_SEASON_SPRING_MUD:
        return "the spring mud (the thaw, March and April; offensives have "
               "opened as the ground dried)";
    case FW_SEASON_CAMPAIGN:
        return "the campaign season (dry ground, May to September)";
    case FW_SEASON_AUTUMN_MUD:
        return "the autumn mud (the rains, October and November)";
    case FW_SEASON_WINTER: break;
    }
    return "winter (frozen ground and short days, December to February)";
}
