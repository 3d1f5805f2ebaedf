/*
** lh_objects.c: finishing host tables after a prelude ran, and references.
*/
#include "lh_objects.h"
#include "lh_internal.h"

void lh_push_weak_table(lua_State *L, const char *mode) {
  lua_newtable(L);
  lua_createtable(L, 0, 1);
  lua_pushstring(L, mode);
  lua_setfield(L, -2, "__mode");
  lua_setmetatable(L, -2);
}

void lh_registry_weak_table(lua_State *L, const void *key, const char *mode) {
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, key) == LUA_TTABLE) return;
  lua_pop(L, 1);
  lh_push_weak_table(L, mode);
  lua_pushvalue(L, -1);
  lua_rawsetp(L, LUA_REGISTRYINDEX, key);
}

/* How deep protection goes into a host table's nested tables. */
#define LH_PROTECT_DEPTH 16

/* [-1, +1, e] replaces the table at the top with a read-only proxy, after
** giving every table it holds (recursively) the same treatment: the real table
** keeps the nested proxies, so no path through a host table reaches a writable
** table. `seen` (an absolute index) maps each table already handled to its
** proxy, so a shared table gets one proxy and a cycle ends. Proxies already
** made here are kept as they are. `name` names the proxy (see lh_make_readonly). */
static void lh_protect_deep(lua_State *L, int seen, int depth, const char *name) {
  luaL_checkstack(L, 8, NULL);
  int real = lua_gettop(L);
  if (lh_is_readonly(L, real)) return;
  lua_pushvalue(L, real);
  if (lua_rawget(L, seen) == LUA_TTABLE) { /* real, proxy */
    lua_replace(L, real);
    return;
  }
  lua_pop(L, 1);
  if (depth >= LH_PROTECT_DEPTH) luaL_error(L, "host table nested more than %d deep", LH_PROTECT_DEPTH);
  lua_pushvalue(L, real);
  lh_make_readonly(L, name);           /* real, proxy */
  lua_pushvalue(L, real);
  lua_pushvalue(L, -2);
  lua_rawset(L, seen);                 /* seen[real] = proxy */
  lua_pushnil(L);                      /* real, proxy, key */
  while (lua_next(L, real) != 0) {     /* real, proxy, key, value */
    if (lua_type(L, -1) == LUA_TTABLE) {
      /* the child's name, kept on the stack while it is used */
      if (lua_type(L, -2) == LUA_TSTRING) lua_pushfstring(L, "%s.%s", name, lua_tostring(L, -2));
      else if (lua_isinteger(L, -2)) lua_pushfstring(L, "%s[%I]", name, (LUAI_UACINT)lua_tointeger(L, -2));
      else lua_pushstring(L, name);
      lua_insert(L, -2);               /* real, proxy, key, child name, value */
      lh_protect_deep(L, seen, depth + 1, lua_tostring(L, -2)); /* ..., child name, child proxy */
      lua_remove(L, -2);               /* real, proxy, key, child proxy */
      lua_pushvalue(L, -2);
      lua_insert(L, -2);               /* real, proxy, key, key, child proxy */
      lua_rawset(L, real);             /* an existing field: allowed while traversing */
    } else {
      lua_pop(L, 1);
    }
  }
  lua_replace(L, real);                /* proxy */
}

static int lh_protect_global_k(lua_State *L) {
  const char *name = (const char *)lua_touserdata(L, 1);
  lua_newtable(L);
  int seen = lua_gettop(L);
  if (lua_getglobal(L, name) != LUA_TTABLE) return luaL_error(L, "global '%s' is not a table", name);
  lh_protect_deep(L, seen, 0, name);
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
