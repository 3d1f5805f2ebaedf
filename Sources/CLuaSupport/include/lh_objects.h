/*
** lh_objects.h: host-side handling of Lua objects the host builds up in
** steps (modules finished by a Lua prelude, shared metatables).
** Same notation as lh.h; Swift calls only '-' and 'p' functions.
*/
#ifndef FOTA_LH_OBJECTS_H
#define FOTA_LH_OBJECTS_H

#include "lh.h"

/* [-1, +1, e] replaces the table at the top with a read-only proxy of it,
** named `name` in errors and by tostring (NULL: "host table"). The name is
** kept in the proxy's metatable, so it is not one of the table's fields. */
void lh_make_readonly(lua_State *L, const char *name);

/* [-0, +(0|1), p] replaces global `name` (a table) with a read-only proxy
** named `name`, and every table it holds with one too (named by its path,
** `name.key`); on error the message is left on the stack. */
int lh_protect_global(lua_State *L, const char *name);

/* [-0, +(0|1), p] keeps the value of global `name` in the registry; *ref gets
** the reference (for tapes: LH_TAG_REF, or a map's metatable). */
int lh_ref_global(lua_State *L, const char *name, int *ref);

/* [-0, +0, -] 1 if a stop (limit, Ctrl-C, os.exit) is pending for L's host
** or Ctrl-C was pressed: a host function blocked on I/O should give up. */
int lh_stop_pending(lua_State *L);

#endif
