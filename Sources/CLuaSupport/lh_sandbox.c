/*
** lh_sandbox.c: the standard library a script sees. Only an allow-list is
** opened; functions that could reach files, processes, native code,
** bytecode or the garbage collector's controls are absent or wrapped.
*/
#include <string.h>
#include "lh.h"

void lh_open_print(lua_State *L);   /* lh_print.c */
void lh_open_require(lua_State *L); /* lh_require.c */
void lh_limits_tighten(lua_State *L); /* lh_limits.c */

/* load(chunk [, chunkname [, mode [, env]]]) with the mode forced to text. */
static int lh_load_fn(lua_State *L) {
  int n = lua_gettop(L);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_pushvalue(L, 1);
  if (n >= 2) lua_pushvalue(L, 2); else lua_pushnil(L);
  lua_pushliteral(L, "t");
  int nargs = 3;
  if (n >= 4) { /* an explicit env, even nil, is the caller's choice */
    lua_pushvalue(L, 4);
    nargs = 4;
  }
  lua_call(L, nargs, LUA_MULTRET);
  return lua_gettop(L) - n;
}

static int lh_collectgarbage_fn(lua_State *L) {
  const char *opt = luaL_optstring(L, 1, "collect");
  if (strcmp(opt, "count") != 0)
    return luaL_error(L, "collectgarbage('%s') is not allowed in the sandbox; only 'count' is", opt);
  int kb = lua_gc(L, LUA_GCCOUNT, 0);
  int b = lua_gc(L, LUA_GCCOUNTB, 0);
  lua_pushnumber(L, (lua_Number)kb + ((lua_Number)b / 1024));
  return 1;
}

/* os.exit([code]): ends the run through the host, which closes the state and
** exits with the code. Sticky like a tripped limit, so pcall cannot stop it. */
static int lh_exit_fn(lua_State *L) {
  lh_Host *h = lh_host(L);
  int status;
  if (lua_isboolean(L, 1)) status = lua_toboolean(L, 1) ? 0 : 1;
  else {
    lua_Integer code = luaL_optinteger(L, 1, 0);
    luaL_argcheck(L, code >= 0 && code <= 125, 1, "exit status must be from 0 to 125");
    status = (int)code;
  }
  h->exit_status = status;
  lh_request_stop(h, LH_STOP_EXIT);
  lh_limits_tighten(L);
  return luaL_error(L, "script called os.exit");
}

/* string.find/match/gmatch/gsub: upvalue 1 is the original function, upvalue 2
** says whether argument 4 can ask for a plain search. Caps keep C-side
** backtracking (where hooks cannot run) bounded; the watchdog covers the rest. */
static int lh_pattern_fn(lua_State *L) {
  lh_Host *h = lh_host(L);
  size_t slen = 0, plen = 0;
  luaL_checklstring(L, 1, &slen);
  luaL_checklstring(L, 2, &plen);
  int plain = lua_toboolean(L, lua_upvalueindex(2)) && lua_toboolean(L, 4);
  if (!plain && h->max_pattern > 0 && plen > h->max_pattern)
    return luaL_error(L, "pattern is %d bytes; the sandbox allows at most %d", (int)plen, (int)h->max_pattern);
  if (!plain && h->max_subject > 0 && slen > h->max_subject)
    return luaL_error(L, "pattern subject is %d bytes; the sandbox allows at most %d", (int)slen, (int)h->max_subject);
  int n = lua_gettop(L);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, n, LUA_MULTRET);
  return lua_gettop(L);
}

/* string.format without %p, which would print addresses. */
static int lh_format_fn(lua_State *L) {
  size_t len;
  const char *fmt = luaL_checklstring(L, 1, &len);
  for (size_t i = 0; i < len; i++) {
    if (fmt[i] != '%') continue;
    i++;
    if (i < len && fmt[i] == '%') continue;
    while (i < len && strchr("-+ #0123456789.", fmt[i]) != NULL) i++;
    if (i < len && fmt[i] == 'p')
      return luaL_error(L, "string.format: '%%p' is not allowed in the sandbox");
  }
  int n = lua_gettop(L);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, n, LUA_MULTRET);
  return lua_gettop(L);
}

static void lh_wrap_field(lua_State *L, const char *name, lua_CFunction wrapper, int plain_arg) {
  lua_getfield(L, -1, name);
  if (plain_arg >= 0) {
    lua_pushboolean(L, plain_arg);
    lua_pushcclosure(L, wrapper, 2);
  } else {
    lua_pushcclosure(L, wrapper, 1);
  }
  lua_setfield(L, -2, name);
}

static void lh_remove_field(lua_State *L, const char *name) {
  lua_pushnil(L);
  lua_setfield(L, -2, name);
}

static void lh_open_string(lua_State *L) {
  luaL_requiref(L, LUA_STRLIBNAME, luaopen_string, 1); /* string */
  lh_remove_field(L, "dump");
  lh_wrap_field(L, "find", lh_pattern_fn, 1);
  lh_wrap_field(L, "match", lh_pattern_fn, 0);
  lh_wrap_field(L, "gmatch", lh_pattern_fn, 0);
  lh_wrap_field(L, "gsub", lh_pattern_fn, 0);
  lh_wrap_field(L, "format", lh_format_fn, -1);
  /* the metatable shared by all strings: its __index is this (wrapped) table,
  ** and getmetatable("") must not hand it out */
  lua_pushliteral(L, "");
  lua_getmetatable(L, -1);
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_pop(L, 3);
}

static void lh_open_os(lua_State *L) {
  luaL_requiref(L, LUA_OSLIBNAME, luaopen_os, 0); /* full os, not global */
  lua_createtable(L, 0, 5);
  static const char *const keep[] = {"time", "clock", "date", "difftime", NULL};
  for (int i = 0; keep[i] != NULL; i++) {
    lua_getfield(L, -2, keep[i]);
    lua_setfield(L, -2, keep[i]);
  }
  lua_pushcfunction(L, lh_exit_fn);
  lua_setfield(L, -2, "exit");
  lua_setglobal(L, "os");
  lua_pop(L, 1);
  /* drop the full library from package.loaded-like caches: there are none,
  ** since package is never opened */
}

static void lh_open_base(lua_State *L) {
  luaL_requiref(L, LUA_GNAME, luaopen_base, 1); /* _G */
  static const char *const removed[] = {"dofile", "loadfile", "warn", NULL};
  for (int i = 0; removed[i] != NULL; i++) lh_remove_field(L, removed[i]);
  lua_getfield(L, -1, "load");
  lua_pushcclosure(L, lh_load_fn, 1);
  lua_setfield(L, -2, "load");
  lua_pushcfunction(L, lh_collectgarbage_fn);
  lua_setfield(L, -2, "collectgarbage");
  lua_pop(L, 1);
}

static int lh_open_sandbox_k(lua_State *L) {
  lh_open_base(L);
  lh_open_print(L);
  lh_open_string(L);
  static const luaL_Reg plain[] = {
    {LUA_TABLIBNAME, luaopen_table},
    {LUA_MATHLIBNAME, luaopen_math},
    {LUA_UTF8LIBNAME, luaopen_utf8},
    {LUA_COLIBNAME, luaopen_coroutine},
    {NULL, NULL}};
  for (const luaL_Reg *lib = plain; lib->func != NULL; lib++) {
    luaL_requiref(L, lib->name, lib->func, 1);
    lua_pop(L, 1);
  }
  lh_open_os(L);
  lh_open_require(L);
  /* the loaded-libraries table would hand out the full os library */
  lua_pushnil(L);
  lua_setfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
  /* _G keeps its fields writable for the script, but its metatable is the host's */
  lua_pushglobaltable(L);
  lua_createtable(L, 0, 1);
  lua_pushliteral(L, "locked");
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, -2);
  lua_pop(L, 1);
  return 0;
}

int lh_open_sandbox(lua_State *L) {
  if (!lua_checkstack(L, 2)) return LUA_ERRMEM;
  lua_pushcfunction(L, lh_open_sandbox_k);
  return lua_pcall(L, 0, 0, 0);
}
