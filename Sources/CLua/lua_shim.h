/*
** lua_shim.h: Debian's Lua 5.4 headers plus the one function-like macro
** Swift needs and cannot import, re-created as a static inline function.
** It states, as the Lua manual does, whether it can raise an error:
**   [-o, +p, x] = pops o, pushes p, x is '-' (never raises).
** Swift calls only functions that cannot raise: anything else runs in C
** under lua_pcall (see lh.h).
*/
#ifndef FOTA_LUA_SHIM_H
#define FOTA_LUA_SHIM_H

#include <lua5.4/lua.h>
#include <lua5.4/lauxlib.h>
#include <lua5.4/lualib.h>

/* [-0, +0, -] the pseudo-index of the registry. */
static inline int lshim_registryindex(void) { return LUA_REGISTRYINDEX; }

#endif
