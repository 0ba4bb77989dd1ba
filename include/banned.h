/*
 * banned.h - functions tte must not call (after git's banned.h).
 *
 * Included last by tte.h, so system headers have already declared the
 * real functions; any later use in tte's own code fails to compile.
 * Use the GLib or bounded alternatives named beside each entry.
 */
#ifndef TTE_BANNED_H
#define TTE_BANNED_H

#define BANNED(func) sorry_##func##_is_a_banned_function

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)        /* g_strlcpy, g_strdup */
#undef strcat
#define strcat(x, y) BANNED(strcat)        /* GString, g_strlcat */
#undef strncpy
#define strncpy(x, y, n) BANNED(strncpy)   /* g_strlcpy */
#undef strncat
#define strncat(x, y, n) BANNED(strncat)   /* GString */
#undef sprintf
#define sprintf(...) BANNED(sprintf)       /* g_snprintf, g_strdup_printf */
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)     /* g_vsnprintf */
#undef strtok
#define strtok(x, y) BANNED(strtok)        /* g_strsplit */
#undef strtok_r
#define strtok_r(x, y, z) BANNED(strtok_r)
#undef gmtime
#define gmtime(t) BANNED(gmtime)           /* gmtime_r, GDateTime */
#undef localtime
#define localtime(t) BANNED(localtime)     /* localtime_r, GDateTime */
#undef ctime
#define ctime(t) BANNED(ctime)
#undef asctime
#define asctime(t) BANNED(asctime)
#undef gets
#define gets(s) BANNED(gets)
#undef atoi
#define atoi(s) BANNED(atoi)               /* g_ascii_strtoll + checks */

#endif
