/*
** lh_objects.c: finishing host tables after a prelude ran, and references.
*/
#include "lh_objects.h"

static int lh_protect_global_k(lua_State *L) {
  const char *name = (const char *)lua_touserdata(L, 1);
  if (lua_getglobal(L, name) != LUA_TTABLE) return luaL_error(L, "global '%s' is not a table", name);
  lh_make_readonly(L);
  lua_setglobal(L, name);
  return 0;
}

int lh_protect_global(lua_State *L, const char *name) {
  if (!lua_checkstack(L, 3)) return LUA_ERRMEM;
  lua_pushcfunction(L, lh_protect_global_k);
  lua_pushlightuserdata(L, (void *)name);
  return lua_pcall(L, 1, 0, 0);
}

static int lh_ref_global_k(lua_State *L) {
  const char *name = (const char *)lua_touserdata(L, 1);
  int *ref = (int *)lua_touserdata(L, 2);
  lua_getglobal(L, name);
  *ref = luaL_ref(L, LUA_REGISTRYINDEX);
  return 0;
}

int lh_ref_global(lua_State *L, const char *name, int *ref) {
  if (!lua_checkstack(L, 3)) return LUA_ERRMEM;
  lua_pushcfunction(L, lh_ref_global_k);
  lua_pushlightuserdata(L, (void *)name);
  lua_pushlightuserdata(L, ref);
  return lua_pcall(L, 2, 0, 0);
}

int lh_stop_pending(lua_State *L) {
  return lh_stop_reason(lh_host(L)) != LH_STOP_NONE || lh_interrupt_pending();
}
