/*
** lua_shim.h: Debian's Lua 5.4 headers plus the function-like macros that
** Swift cannot import, re-created as static inline functions.
** Each shim states, as the Lua manual does, whether it can raise an error:
**   [-o, +p, x] = pops o, pushes p, x is '-' (never raises), 'm' (memory
**   error only) or 'e' (any error).
** Calls marked 'm' or 'e' must never be made from Swift outside a protected
** call: a raised error is a longjmp and must not cross Swift frames.
*/
#ifndef FOTA_LUA_SHIM_H
#define FOTA_LUA_SHIM_H

#include <lua5.4/lua.h>
#include <lua5.4/lauxlib.h>
#include <lua5.4/lualib.h>

/* [-0, +0, -] the pseudo-index of the registry. */
static inline int lshim_registryindex(void) { return LUA_REGISTRYINDEX; }

/* [-0, +0, -] pseudo-index of upvalue i of the running C function. */
static inline int lshim_upvalueindex(int i) { return lua_upvalueindex(i); }

/* [-n, +0, -] */
static inline void lshim_pop(lua_State *L, int n) { lua_pop(L, n); }

/* [-0, +1, m] */
static inline void lshim_newtable(lua_State *L) { lua_newtable(L); }

/* [-0, +1, m] */
static inline void lshim_pushcfunction(lua_State *L, lua_CFunction f) {
  lua_pushcfunction(L, f);
}

/* [-(nargs+1), +(nresults|1), -] errors are caught and returned as a status. */
static inline int lshim_pcall(lua_State *L, int nargs, int nresults, int msgh) {
  return lua_pcall(L, nargs, nresults, msgh);
}

/* [-0, +0, m] on a number converts the slot in place (allocates). */
static inline const char *lshim_tostring(lua_State *L, int idx) {
  return lua_tostring(L, idx);
}

/* [-0, +0, -] */
static inline lua_Number lshim_tonumber(lua_State *L, int idx) {
  return lua_tonumber(L, idx);
}

/* [-0, +0, -] */
static inline lua_Integer lshim_tointeger(lua_State *L, int idx) {
  return lua_tointeger(L, idx);
}

/* [-0, +0, -] */
static inline int lshim_isnoneornil(lua_State *L, int idx) {
  return lua_isnoneornil(L, idx);
}

/* [-1, +0, -] */
static inline void lshim_remove(lua_State *L, int idx) { lua_remove(L, idx); }

/* [-1, +1, -] */
static inline void lshim_insert(lua_State *L, int idx) { lua_insert(L, idx); }

/* [-1, +0, -] */
static inline void lshim_replace(lua_State *L, int idx) { lua_replace(L, idx); }

/* [-0, +0, -] the main thread's state is stored in the registry. */
static inline int lshim_ridx_globals(void) { return LUA_RIDX_GLOBALS; }

#endif
