/*
 * season.h - the phase of the fighting season on a date, the indicator
 * `assess` shows (issue 14). A calendar rule, not a measurement: the
 * ground of Ukraine's steppe and forest-steppe turns to mud with the
 * spring thaw and the autumn rains (the rasputitsa), which slows vehicles
 * off the roads; offensives have opened as it dried (May-June 2022, June
 * 2023, May 2024). Phases, by the date in Kyiv:
 *   winter      1 December - end of February (frozen ground, short days)
 *   spring_mud  1 March - 30 April (the thaw)
 *   campaign    1 May - 30 September (dry ground: the fighting season)
 *   autumn_mud  1 October - 30 November (the rains)
 * The forecasts' own season features (dataset.h: season_sin/cos) were
 * tried and not kept (docs/FORECAST.md); this is shown, not used.
 */
#ifndef FRONTWATCH_SEASON_H
#define FRONTWATCH_SEASON_H

#include <stdint.h>

enum fw_season {
    FW_SEASON_WINTER,
    FW_SEASON_SPRING_MUD,
    FW_SEASON_CAMPAIGN,
    FW_SEASON_AUTUMN_MUD
};

/* The phase on the day of day_s (UTC seconds, any time of that day). */
enum fw_season fw_season_at(int64_t day_s);

/* "winter", "spring_mud", "campaign", "autumn_mud" (static). */
const char *fw_season_name(enum fw_season s);

/* The phase in words, for the text output (static): "the campaign
 * season (dry ground, May to September)". */
const char *fw_season_text(enum fw_season s);

#endif
