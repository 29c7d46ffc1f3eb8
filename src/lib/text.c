/*
 * text.c - UTF-8 validation, the readers' input check and search keys for
 * place names (see text.h).
 */
#include "frontwatch/text.h"

#include <stdint.h>
#include <string.h>

#include "text_int.h"

size_t fw_text_clip_len(const char *s, size_t max)
{
    size_t n = strnlen(s, max + 1);
    if (n <= max) {
        return n;
    }
    /* s[max] is the first byte left out: while it continues a character,
     * that character started inside the prefix and is dropped whole. */
    n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) {
        n--;
    }
    return n;
}

int fw_text_is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

void fw_text_trim(const char *s, const char **b, size_t *n)
{
    size_t len = strlen(s);
    while (len > 0 && fw_text_is_blank(*s)) {
        s++;
        len--;
    }
    while (len > 0 && fw_text_is_blank(s[len - 1])) {
        len--;
    }
    *b = s;
    *n = len;
}

static char ascii_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

int fw_text_starts_with_ci(const char *s, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);
    if (n < k) {
        return 0;
    }
    for (size_t i = 0; i < k; i++) {
        if (ascii_lower(s[i]) != ascii_lower(prefix[i])) {
            return 0;
        }
    }
    return 1;
}

int fw_text_equals_ci(const char *s, size_t n, const char *word)
{
    return strlen(word) == n && fw_text_starts_with_ci(s, n, word);
}

void fw_text_position(const char *s, size_t off, long *line, long *col)
{
    long l = 1, c = 1;
    for (size_t i = 0; i < off; i++) {
        if (s[i] == '\n') {
            l++;
            c = 1;
        } else {
            c++;
        }
    }
    *line = l;
    *col = c;
}

/* Decodes one code point at s[*i]; returns -1 on malformed input. */
static int32_t decode(const unsigned char *s, size_t len, size_t *i)
{
    unsigned char c = s[*i];
    int32_t cp;
    size_t n;
    if (c < 0x80) {
        (*i)++;
        return c;
    } else if ((c & 0xE0) == 0xC0) {
        cp = c & 0x1F;
        n = 1;
    } else if ((c & 0xF0) == 0xE0) {
        cp = c & 0x0F;
        n = 2;
    } else if ((c & 0xF8) == 0xF0) {
        cp = c & 0x07;
        n = 3;
    } else {
        return -1;
    }
    for (size_t k = 1; k <= n; k++) {
        if (*i + k >= len || (s[*i + k] & 0xC0) != 0x80) {
            return -1;
        }
        cp = (cp << 6) | (s[*i + k] & 0x3F);
    }
    static const int32_t min_cp[4] = {0, 0x80, 0x800, 0x10000};
    if (cp < min_cp[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return -1;
    }
    *i += n + 1;
    return cp;
}

int fw_text_utf8_valid(const char *s, size_t len, long *line, long *col)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        /* ASCII, most of every source, eight bytes at a time */
        if (i + 8 <= len) {
            uint64_t word;
            memcpy(&word, u + i, 8);
            if ((word & 0x8080808080808080u) == 0) {
                i += 8;
                continue;
            }
        }
        if (u[i] < 0x80) {
            i++;
            continue;
        }
        size_t at = i;
        if (decode(u, len, &i) < 0) {
            fw_text_position(s, at, line, col);
            return 0;
        }
    }
    return 1;
}

fw_err fw_text_check(const char *buf, size_t len, struct fw_diag *d)
{
    if (len == 0) {
        return FW_OK;
    }
    long line = 0, col = 0;
    const char *nul = memchr(buf, '\0', len);
    size_t check_len = nul != NULL ? (size_t)(nul - buf) : len;
    if (!fw_text_utf8_valid(buf, check_len, &line, &col)) {
        return fw_diag_set(d, FW_EPARSE, line, col,
                           "invalid UTF-8 byte sequence");
    }
    if (nul != NULL) {
        fw_text_position(buf, check_len, &line, &col);
        return fw_diag_set(d, FW_EPARSE, line, col, "NUL byte");
    }
    return FW_OK;
}

/* KMU 2010 for Ukrainian, with Russian-only letters added; "initial" is the
 * spelling at the start of a word (є, ї, й, ю, я differ there). */
struct translit {
    int32_t cp;
    const char *mid;
    const char *initial;
};

static const struct translit CYR[] = {
    {0x0430, "a", NULL},   {0x0431, "b", NULL},    {0x0432, "v", NULL},
    {0x0433, "h", NULL},   {0x0491, "g", NULL},    {0x0434, "d", NULL},
    {0x0435, "e", NULL},   {0x0454, "ie", "ye"},   {0x0436, "zh", NULL},
    {0x0437, "z", NULL},   {0x0438, "y", NULL},    {0x0456, "i", NULL},
    {0x0457, "i", "yi"},   {0x0439, "i", "y"},     {0x043A, "k", NULL},
    {0x043B, "l", NULL},   {0x043C, "m", NULL},    {0x043D, "n", NULL},
    {0x043E, "o", NULL},   {0x043F, "p", NULL},    {0x0440, "r", NULL},
    {0x0441, "s", NULL},   {0x0442, "t", NULL},    {0x0443, "u", NULL},
    {0x0444, "f", NULL},   {0x0445, "kh", NULL},   {0x0446, "ts", NULL},
    {0x0447, "ch", NULL},  {0x0448, "sh", NULL},   {0x0449, "shch", NULL},
    {0x044C, "", NULL},    {0x044E, "iu", "yu"},   {0x044F, "ia", "ya"},
    /* Russian */
    {0x044B, "y", NULL},   {0x044D, "e", NULL},    {0x0451, "e", "yo"},
    {0x044A, "", NULL},
};

static const struct translit *cyr_lookup(int32_t lower)
{
    for (size_t k = 0; k < sizeof CYR / sizeof CYR[0]; k++) {
        if (CYR[k].cp == lower) {
            return &CYR[k];
        }
    }
    return NULL;
}

/* Latin letters with diacritics -> base letter (Latin-1 and Latin
 * Extended-A, which cover the alternate spellings in GeoNames). */
static char latin_base(int32_t cp)
{
    static const char *l1 = /* U+00C0 .. U+00FF */
        "aaaaaaaceeeeiiiidnooooo*ouuuuyts"
        "aaaaaaaceeeeiiiidnooooo/ouuuuyty";
    if (cp >= 0xC0 && cp <= 0xFF) {
        char c = l1[cp - 0xC0];
        return (c == '*' || c == '/') ? 0 : c;
    }
    static const char *ext = /* U+0100 .. U+017F */
        "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiiiiijjkkklllllll"
        "lllnnnnnnnnnoooooooorrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";
    if (cp >= 0x100 && cp <= 0x17F) {
        return ext[cp - 0x100];
    }
    return 0;
}

static int is_apostrophe(int32_t cp)
{
    return cp == '\'' || cp == '`' || cp == 0x2019 || cp == 0x2018 ||
           cp == 0x02BC || cp == 0x02B9 || cp == 0x00B4;
}

fw_err fw_text_key(const char *name, char *out, size_t out_len)
{
    if (out_len == 0) {
        return FW_EUSAGE;
    }
    const unsigned char *u = (const unsigned char *)name;
    size_t len = strlen(name);
    size_t i = 0, o = 0;
    long bad_line = 0, bad_col = 0;
    /* The whole name is checked first: the loop below stops when out is
     * full, and a bad byte past that point must still be an error. */
    if (!fw_text_utf8_valid(name, len, &bad_line, &bad_col)) {
        return FW_EPARSE;
    }
    int word_start = 1;   /* next letter begins a word */
    int pending_space = 0;
    while (i < len) {
        int32_t cp = decode(u, len, &i);
        if (cp < 0) {
            return FW_EPARSE;
        }
        if (is_apostrophe(cp)) {
            continue; /* "Mar'inka" == "Marinka"; not a word break */
        }
        char ascii[8];
        const char *piece = NULL;
        if (cp < 0x80) {
            if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')) {
                ascii[0] = (char)cp;
                ascii[1] = '\0';
                piece = ascii;
            } else if (cp >= 'A' && cp <= 'Z') {
                ascii[0] = (char)(cp - 'A' + 'a');
                ascii[1] = '\0';
                piece = ascii;
            }
        } else if (cp >= 0x0400 && cp <= 0x04FF) {
            int32_t lower = cp;
            if (cp >= 0x0410 && cp <= 0x042F) {
                lower = cp + 0x20;
            } else if (cp >= 0x0400 && cp <= 0x040F) {
                lower = cp + 0x50;
            } else if (cp == 0x0490) {
                lower = 0x0491;
            }
            const struct translit *t = cyr_lookup(lower);
            if (t != NULL) {
                piece = (word_start && t->initial) ? t->initial : t->mid;
            }
        } else {
            char b = latin_base(cp);
            if (b != 0) {
                ascii[0] = b;
                ascii[1] = '\0';
                piece = ascii;
            }
        }
        if (piece == NULL) {
            /* punctuation, space, anything else: one word break */
            word_start = 1;
            pending_space = o > 0;
            continue;
        }
        size_t plen = strlen(piece);
        if (plen == 0) {
            continue; /* soft sign */
        }
        if (o + pending_space + plen + 1 > out_len) {
            break;
        }
        if (pending_space) {
            out[o++] = ' ';
            pending_space = 0;
        }
        memcpy(out + o, piece, plen);
        o += plen;
        word_start = 0;
    }
    out[o] = '\0';
    return FW_OK;
}

size_t fw_text_edit_distance(const char *a, const char *b, size_t max)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > lb ? la - lb > max : lb - la > max) {
        return max + 1;
    }
    if (lb > 255) {
        return max + 1;
    }
    size_t row[256];
    for (size_t j = 0; j <= lb; j++) {
        row[j] = j;
    }
    for (size_t i = 1; i <= la; i++) {
        size_t prev = row[0];
        row[0] = i;
        size_t best = row[0];
        for (size_t j = 1; j <= lb; j++) {
            size_t cur = row[j];
            size_t sub = prev + (a[i - 1] != b[j - 1]);
            size_t del = row[j] + 1;
            size_t ins = row[j - 1] + 1;
            size_t v = sub < del ? sub : del;
            row[j] = v < ins ? v : ins;
            prev = cur;
            if (row[j] < best) {
                best = row[j];
            }
        }
        if (best > max) {
            return max + 1;
        }
    }
    return row[lb] > max ? max + 1 : row[lb];
}
