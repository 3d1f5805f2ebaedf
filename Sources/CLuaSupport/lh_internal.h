/*
** lh_internal.h: declarations shared between the C files of the host and
** never called from Swift. Same notation as lh.h.
*/
#ifndef FOTA_LH_INTERNAL_H
#define FOTA_LH_INTERNAL_H

#include "lh.h"

/* lh_limits.c */
/* [-0, +0, e] lh_limits_check for the hot path of host calls (h is L's
** host): a pending stop or Ctrl-C is raised at once; the clocks are read
** every LH_CPU_CHECK_EVERY calls (a single long host call is covered by the
** hook after it and by ValueReader's polls during it). */
void lh_limits_check_quick(lua_State *L, lh_Host *h);
/* [-0, +0, -] makes the hook run before every instruction of L. */
void lh_limits_tighten(lua_State *L);
/* [-0, +0, -] clears a stop and restarts the CPU budget (the prompt). */
void lh_limits_rearm(lua_State *L);
/* [-0, +0, -] marks coroutine L as stopped by a limit, Ctrl-C or os.exit:
** it may never run again (the main thread is never marked). */
void lh_mark_stopped(lua_State *L);
/* [-0, +0, -] 1 if thread co was marked by lh_mark_stopped. */
int lh_is_stopped_thread(lua_State *co);

/* lh_objects.c */
/* [-0, +1, m] a new empty table whose entries are weak as `mode` says ("k", "v"). */
void lh_push_weak_table(lua_State *L, const char *mode);
/* [-0, +1, m] the weak (`mode`) table the registry holds at light key `key`,
** made and stored there the first time. */
void lh_registry_weak_table(lua_State *L, const void *key, const char *mode);

/* lh_print.c */
/* [-0, +0, e] opens print and tostring. */
void lh_open_print(lua_State *L);
/* [-0, +1, e] the value at idx as tostring shows it. */
const char *lh_tolstring(lua_State *L, int idx);

/* lh_require.c */
/* [-0, +0, e] opens require. */
void lh_open_require(lua_State *L);

/* lh_tape.c */
/* [-0, +0, e] whether the table at idx is a read-only proxy made by the host. */
int lh_is_readonly(lua_State *L, int idx);
/* [-0, +(0|1), e] a lua_CFunction: returns the real table behind the read-only proxy given
** as argument 1, nothing for any other value. Only the prompt's printer gets
** it (it reads that table, never hands it to a script). */
int lh_readonly_target(lua_State *L);

/* lh_rows.c */
/* [-5, +1, e] replaces name, keys, shapes, ids and index (a userdata of n
** uint32 shape indexes) at the top with a row list of n rows (see lh.h). */
void lh_rows_make(lua_State *L, lua_Integer n, lua_Integer nshapes);
/* [-0, +0, -] whether the value at idx is a host row list. */
int lh_rows_is(lua_State *L, int idx);
/* [-0, +0, e] raises the error of writing into the row list at 1. */
int lh_rows_refuse(lua_State *L);
/* [-0, +(0|1), e] a lua_CFunction: the number of rows of the row list given
** as argument 1, nothing for any other value. Only the prompt's printer gets
** it (with lh_readonly_target). */
int lh_rows_length_of(lua_State *L);

/* lh_bounded.c */
/* [-0, +(1|2), e] string.find(s, p [, init [, plain]]) in linear time when
** the search is plain (argument 4, or no magic characters in p); returns -1
** without touching the stack when it is not. */
int lh_plain_find(lua_State *L);
/* [-1, +1, e] wraps the sort, utf8 and string functions of the tables the
** sandbox opened (see there). */
void lh_open_bounded_libs(lua_State *L);

#endif
