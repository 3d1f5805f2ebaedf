/*
** lh_sandbox.c: the standard library a script sees. Only an allow-list is
** opened; functions that could reach files, processes, native code,
** bytecode or the garbage collector's controls are absent or wrapped.
*/
#include <string.h>
#include "lh.h"
#include "lh_internal.h"

/* Wrappers finish by calling the stock C function (upvalue 1) directly, in
** the wrapper's own call frame, rather than through lua_call: its argument
** errors then name the function as the script called it ("bad argument #2
** to 'format'") and carry the script's position. The stock functions of
** the base, string, table and coroutine libraries use no upvalues, so this
** is safe. The limits are checked again when it returns: Lua runs no hook
** inside a C function, and a stop must not wait for the next one. */
static int lh_call_original(lua_State *L) {
  int n = lua_tocfunction(L, lua_upvalueindex(1))(L);
  lh_limits_check(L);
  return n;
}

/* Most coroutine.close (and coroutine.wrap error) closings in progress at
** once. Lua 5.4.4 bug "C-stack overflow with deep nesting of
** coroutine.close" (fixed in 5.4.5): a __close handler that closes another
** coroutine nests C calls that Lua does not count, so a long enough chain
** overflows the C stack. Past this depth the close fails with Lua's own
** message for that case. */
#define LH_MAX_CLOSE_NESTING 100

#define LH_STOPPED_COROUTINE "cannot resume a coroutine that a limit, Ctrl-C or os.exit stopped"

/* [-0, +(0|1), e] lua_resetthread(co) counted against LH_MAX_CLOSE_NESTING;
** returns its status with the error (if any) on co's stack. Refuses a
** coroutine a stop killed: Lua left it with hooks off, and its __close
** handlers would run where no limit could stop them. A refusal returns -1
** with the message pushed on L. */
static int lh_reset_counted(lua_State *L, lua_State *co) {
  lh_Host *h = lh_host(L);
  if (lh_is_stopped_thread(co)) {
    lua_pushliteral(L, "cannot close a coroutine that a limit, Ctrl-C or os.exit stopped");
    return -1;
  }
  if (h->close_depth >= LH_MAX_CLOSE_NESTING) {
    lua_pushliteral(L, "C stack overflow (coroutine.close nested too deeply)");
    return -1;
  }
  h->close_depth++;
  int status = lua_resetthread(co); /* runs under its own protection: never raises */
  h->close_depth--;
  return status;
}

/* Most elements table.move/insert/remove shift in one call: their loops run
** in C, where no hook can stop them, and a lying __len or a huge range
** would otherwise keep them going for ever. No table that fits the default
** memory budget has this many elements. */
#define LH_MAX_SHIFT ((lua_Integer)1 << 24)

/* load(chunk [, chunkname [, mode [, env]]]) with the mode forced to text;
** an explicit env, even nil, is the caller's choice. */
static int lh_load_fn(lua_State *L) {
  if (lua_gettop(L) < 3) lua_settop(L, 3); /* argument 4 (env) stays absent */
  lua_pushliteral(L, "t");
  lua_replace(L, 3);
  return lh_call_original(L);
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
  lh_limits_check(L); /* a loop of long matches would otherwise run 1000 of them between hooks */
  size_t slen = 0, plen = 0;
  luaL_checklstring(L, 1, &slen);
  luaL_checklstring(L, 2, &plen);
  int find = lua_toboolean(L, lua_upvalueindex(2));
  if (find) {
    int n = lh_plain_find(L);
    if (n >= 0) return n;
  }
  int plain = find && lua_toboolean(L, 4);
  if (!plain && h->max_pattern > 0 && plen > h->max_pattern)
    return luaL_error(L, "pattern is %d bytes; the sandbox allows at most %d", (int)plen, (int)h->max_pattern);
  if (!plain && h->max_subject > 0 && slen > h->max_subject)
    return luaL_error(L, "pattern subject is %d bytes; the sandbox allows at most %d", (int)slen, (int)h->max_subject);
  return lh_call_original(L);
}

/* string.rep(s, n [, sep]): for an empty s and sep, Lua still loops n times
** in C; rep('', math.maxinteger) would spin for ever. The result is "". */
static int lh_rep_fn(lua_State *L) {
  size_t l, lsep;
  luaL_checklstring(L, 1, &l);
  lua_Integer n = luaL_checkinteger(L, 2);
  luaL_optlstring(L, 3, "", &lsep);
  if (n > 0 && l == 0 && lsep == 0) {
    lua_pushliteral(L, "");
    return 1;
  }
  lh_limits_check(L);
  return lh_call_original(L);
}

/* string.format without %p, which would print addresses; a table, function
** or thread given to '%s' is named as tostring names it (the stock format
** would print its address). */
static int lh_format_fn(lua_State *L) {
  size_t len;
  const char *fmt = luaL_checklstring(L, 1, &len);
  int arg = 1;
  for (size_t i = 0; i < len; i++) {
    if (fmt[i] != '%') continue;
    i++;
    if (i < len && fmt[i] == '%') continue;
    while (i < len && strchr("-+ #0123456789.", fmt[i]) != NULL) i++;
    if (i < len && fmt[i] == 'p')
      return luaL_error(L, "string.format: '%%p' is not allowed in the sandbox");
    arg++;
    if (i < len && fmt[i] == 's' && arg <= lua_gettop(L)) {
      int t = lua_type(L, arg);
      if (t == LUA_TTABLE || t == LUA_TFUNCTION || t == LUA_TTHREAD || t == LUA_TUSERDATA ||
          t == LUA_TLIGHTUSERDATA) {
        lh_tolstring(L, arg);
        lua_replace(L, arg);
      }
    }
  }
  return lh_call_original(L);
}

/* table.move(a1, f, e, t [, a2]) moving at most LH_MAX_SHIFT elements. */
static int lh_move_fn(lua_State *L) {
  lua_Integer f = luaL_checkinteger(L, 2);
  lua_Integer e = luaL_checkinteger(L, 3);
  if (e >= f && (lua_Unsigned)e - (lua_Unsigned)f >= (lua_Unsigned)LH_MAX_SHIFT)
    return luaL_error(L, "table.move: the sandbox moves at most %I elements at a time", (LUAI_UACINT)LH_MAX_SHIFT);
  return lh_call_original(L);
}

/* table.insert(t, [pos,] v) as the stock one (tables only: a script cannot
** give other values the metamethods it would need), shifting at most
** LH_MAX_SHIFT elements. */
static int lh_insert_fn(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_Integer e = (lua_Integer)((lua_Unsigned)luaL_len(L, 1) + 1u); /* first empty element */
  lua_Integer pos;
  switch (lua_gettop(L)) {
    case 2:
      pos = e;
      break;
    case 3:
      pos = luaL_checkinteger(L, 2);
      luaL_argcheck(L, (lua_Unsigned)pos - 1u < (lua_Unsigned)e, 2, "position out of bounds");
      if ((lua_Unsigned)e - (lua_Unsigned)pos > (lua_Unsigned)LH_MAX_SHIFT)
        return luaL_error(L, "table.insert: the sandbox shifts at most %I elements", (LUAI_UACINT)LH_MAX_SHIFT);
      for (lua_Integer i = e; i > pos; i--) {
        lua_geti(L, 1, i - 1);
        lua_seti(L, 1, i); /* t[i] = t[i - 1] */
      }
      break;
    default:
      return luaL_error(L, "wrong number of arguments to 'insert'");
  }
  lua_seti(L, 1, pos); /* t[pos] = v */
  return 0;
}

/* table.remove(t [, pos]) as the stock one, shifting at most LH_MAX_SHIFT elements. */
static int lh_remove_fn(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_Integer size = luaL_len(L, 1);
  lua_Integer pos = luaL_optinteger(L, 2, size);
  if (pos != size) /* validate 'pos' if given */
    luaL_argcheck(L, (lua_Unsigned)pos - 1u <= (lua_Unsigned)size, 2, "position out of bounds");
  if (pos < size && (lua_Unsigned)size - (lua_Unsigned)pos > (lua_Unsigned)LH_MAX_SHIFT)
    return luaL_error(L, "table.remove: the sandbox shifts at most %I elements", (LUAI_UACINT)LH_MAX_SHIFT);
  lua_geti(L, 1, pos); /* result = t[pos] */
  for (; pos < size; pos++) {
    lua_geti(L, 1, pos + 1);
    lua_seti(L, 1, pos); /* t[pos] = t[pos + 1] */
  }
  lua_pushnil(L);
  lua_seti(L, 1, pos); /* remove entry t[pos] */
  return 1;
}

/* setmetatable(t, mt) as the stock one, but refusing a metatable with __gc:
** Lua runs finalizers with hooks off, so neither the CPU limit nor Ctrl-C
** could stop one, and they may run while the state closes. Lua marks a table
** for finalization only if its metatable has __gc when it is set, so
** checking here is enough. Written out rather than delegating to the stock
** function so argument errors keep the function's name and the position. */
static int lh_setmetatable_fn(lua_State *L) {
  int t = lua_type(L, 2);
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_argexpected(L, t == LUA_TNIL || t == LUA_TTABLE, 2, "nil or table");
  if (luaL_getmetafield(L, 1, "__metatable") != LUA_TNIL)
    return luaL_error(L, "cannot change a protected metatable");
  if (t == LUA_TTABLE) {
    lua_pushliteral(L, "__gc");
    int has_gc = lua_rawget(L, 2) != LUA_TNIL;
    lua_pop(L, 1);
    if (has_gc) return luaL_error(L, "'__gc' finalizers are not allowed in the sandbox");
  }
  lua_settop(L, 2);
  lua_setmetatable(L, 1);
  return 1;
}

/* xpcall(f, msgh, ...): f runs under pcall and msgh is called on the error
** once the stack has unwound, not at the raise point. Lua calls a message
** handler with hooks off when the error came from a hook (a tripped limit or
** Ctrl-C), so a looping handler could never be stopped there. A script has
** no debug library, so a handler cannot tell the difference otherwise. As
** in Lua, no handler runs for a memory error, and a failing handler gives
** "error in error handling". */
static int lh_xpcall_finish(lua_State *L, int status, lua_KContext extra) {
  if (status == LUA_OK || status == LUA_YIELD) return lua_gettop(L) - (int)extra;
  /* stack: f, msgh, true, error */
  if (status != LUA_ERRMEM) {
    lua_pushvalue(L, 2);
    lua_insert(L, -2);
    if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
      lua_pop(L, 1);
      lua_pushliteral(L, "error in error handling");
    }
  }
  lua_pushboolean(L, 0);
  lua_insert(L, -2);
  return 2;
}

static int lh_xpcall_fn(lua_State *L) {
  int n = lua_gettop(L);
  luaL_checktype(L, 2, LUA_TFUNCTION);
  lua_pushboolean(L, 1); /* first result */
  lua_pushvalue(L, 1);   /* function */
  lua_rotate(L, 3, 2);   /* f, msgh, true, f, args... */
  int status = lua_pcallk(L, n - 2, LUA_MULTRET, 0, 2, lh_xpcall_finish);
  return lh_xpcall_finish(L, status, 2);
}

/* coroutine.close(co). A coroutine killed by a tripped limit (the hook
** raised inside it) is left by Lua with hooks off, and closing it would run
** its to-be-closed variables' __close handlers that way: an endless __close
** would outlast every limit. So once a stop is pending, close raises the stop
** in the caller instead (lua_close does not run those handlers), and a
** coroutine a stop killed can never be closed (lh_reset_counted), even at
** the prompt's next chunk. */
static int lh_coclose_fn(lua_State *L) {
  lua_State *co = lua_tothread(L, 1);
  luaL_argexpected(L, co != NULL, 1, "coroutine");
  lh_limits_check(L);
  lua_Debug ar;
  int status = lua_status(co);
  if (co == L || (status == LUA_OK && lua_getstack(co, 0, &ar)))
    return luaL_error(L, "cannot close a %s coroutine", co == L ? "running" : "normal");
  status = lh_reset_counted(L, co);
  lh_limits_check(L);
  if (status == LUA_OK) {
    lua_pushboolean(L, 1);
    return 1;
  }
  if (status > 0) lua_xmove(co, L, 1); /* the error */
  lua_pushboolean(L, 0);
  lua_insert(L, -2);
  return 2;
}

/* coroutine.wrap's function: Lua's auxwrap with lh_limits_check before the
** dead coroutine is closed. Upvalue 1 is the coroutine. */
static int lh_auxwrap(lua_State *L) {
  lua_State *co = lua_tothread(L, lua_upvalueindex(1));
  if (lh_is_stopped_thread(co)) return luaL_error(L, LH_STOPPED_COROUTINE);
  int narg = lua_gettop(L);
  if (!lua_checkstack(co, narg)) return luaL_error(L, "too many arguments to resume");
  lua_xmove(L, co, narg);
  int nres;
  int status = lua_resume(co, L, narg, &nres);
  if (status == LUA_OK || status == LUA_YIELD) {
    if (!lua_checkstack(L, nres + 1)) {
      lua_pop(co, nres);
      return luaL_error(L, "too many results to resume");
    }
    lua_xmove(co, L, nres);
    lh_limits_check(L);
    return nres;
  }
  lua_xmove(co, L, 1); /* the error */
  status = lua_status(co);
  if (status != LUA_OK && status != LUA_YIELD) { /* the coroutine itself failed */
    lh_limits_check(L); /* a stop: its __close handlers would run with hooks off */
    status = lh_reset_counted(L, co); /* close its tbc variables */
    if (status >= 0) lua_xmove(co, L, 1); /* the error, possibly changed by a __close */
    else lua_remove(L, -2);              /* refused: its reason replaces the error */
  }
  if (status != LUA_ERRMEM && lua_type(L, -1) == LUA_TSTRING) { /* add position */
    luaL_where(L, 1);
    lua_insert(L, -2);
    lua_concat(L, 2);
  }
  return lua_error(L);
}

/* coroutine.resume: refuses a coroutine a stop was raised in (even one that
** caught it and yielded: it may never run again), and raises a stop raised
** inside the coroutine again in the caller as soon as resume returns, so
** nothing runs after it. */
static int lh_coresume_fn(lua_State *L) {
  lua_State *co = lua_tothread(L, 1);
  if (co != NULL && lh_is_stopped_thread(co)) {
    lua_pushboolean(L, 0);
    lua_pushliteral(L, LH_STOPPED_COROUTINE);
    return 2;
  }
  return lh_call_original(L);
}

static int lh_cowrap_fn(lua_State *L) {
  luaL_checktype(L, 1, LUA_TFUNCTION);
  lua_State *co = lua_newthread(L);
  lua_pushvalue(L, 1);
  lua_xmove(L, co, 1);
  lua_pushcclosure(L, lh_auxwrap, 1);
  return 1;
}

/* rawset(t, k, v) as the stock one, but refusing a host's read-only proxy
** (a raw field on the proxy would shadow the real one). */
static int lh_rawset_fn(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checkany(L, 2);
  luaL_checkany(L, 3);
  if (lh_is_readonly(L, 1)) {
    luaL_getmetafield(L, 1, "__name");
    const char *name = lua_tostring(L, -1);
    return luaL_error(L, "attempt to modify read-only table '%s'", name ? name : "?");
  }
  if (lh_rows_is(L, 1)) return lh_rows_refuse(L);
  lua_settop(L, 3);
  lua_rawset(L, 1);
  return 1;
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
  lh_wrap_field(L, "rep", lh_rep_fn, -1);
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
  lua_pushcfunction(L, lh_setmetatable_fn);
  lua_setfield(L, -2, "setmetatable");
  lua_pushcfunction(L, lh_rawset_fn);
  lua_setfield(L, -2, "rawset");
  lua_pushcfunction(L, lh_xpcall_fn);
  lua_setfield(L, -2, "xpcall");
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
  lua_getglobal(L, LUA_COLIBNAME);
  lua_pushcfunction(L, lh_coclose_fn);
  lua_setfield(L, -2, "close");
  lh_wrap_field(L, "resume", lh_coresume_fn, -1);
  lua_pushcfunction(L, lh_cowrap_fn);
  lua_setfield(L, -2, "wrap");
  lua_pop(L, 1);
  lua_getglobal(L, LUA_TABLIBNAME);
  lh_wrap_field(L, "move", lh_move_fn, -1);
  lua_pushcfunction(L, lh_insert_fn);
  lua_setfield(L, -2, "insert");
  lua_pushcfunction(L, lh_remove_fn);
  lua_setfield(L, -2, "remove");
  lua_pop(L, 1);
  lh_open_bounded_libs(L);
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
