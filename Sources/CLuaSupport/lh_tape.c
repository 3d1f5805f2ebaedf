/*
** lh_tape.c: turns a tape written by Swift into Lua values.
** Everything here may raise, so it only runs under lua_pcall or inside a C
** function that Lua called.
*/
#include <string.h>
#include "lh.h"
#include "lh_internal.h"
#include "lh_objects.h"

/* Largest size hint given to lua_createtable for a map: a tape's counts come
** from Swift, but a table is never presized past what the tape can still
** hold, nor past this (larger maps grow as their elements arrive). */
#define LH_MAX_PRESIZE (1 << 16)

/* Its address keys the registry table of host function closures, by id. */
static const char LH_FUNCTIONS_KEY = 'f';

/* [-0, +0, -] a lua_createtable hint for `count` elements of which at most
** `left` slots remain in the tape. An array is presized whole (each element
** takes a slot of the tape, so the hint is bounded by what Swift wrote):
** grown by doubling, a list of 200,000 IMEIs would hold 262,144 slots. */
static int lh_presize(int64_t count, size_t left, int array) {
  if (count <= 0) return 0;
  if ((uint64_t)count > left) count = (int64_t)left;
  if (count > INT32_MAX) count = INT32_MAX;
  return !array && count > LH_MAX_PRESIZE ? LH_MAX_PRESIZE : (int)count;
}

static size_t lh_push_slot(lua_State *L, const lh_Tape *t, size_t i, int depth);

/* [-0, +1, m] pushes the len bytes at s: element k of the argument at stack
** index t->mirror when that is a string of the same bytes (read raw, taken
** as it is), else a new string. Needs 1 free stack slot. */
static void lh_push_mirrored(lua_State *L, const lh_Tape *t, int64_t k, const char *s, size_t len) {
  if (t->mirror > 0 && k > 0) {
    if (lua_rawgeti(L, t->mirror, (lua_Integer)k) == LUA_TSTRING) {
      size_t have;
      const char *bytes = lua_tolstring(L, -1, &have);
      if (have == len && memcmp(bytes, s, len) == 0) return;
    }
    lua_pop(L, 1);
  }
  lua_pushlstring(L, s, len);
}

/* [-0, +1, e] a host row list (lh_rows.c) from its slot s: slots i.. hold its
** name, its keys and its shapes (two arrays); s->count rows, s->flags shapes.
** At bytes + s->u.offset: s->count uint32 shape indexes, s->count uint32 id
** lengths, then the ids' bytes, read with memcpy (no alignment assumed).
** Returns the index after it. */
static size_t lh_push_rows(lua_State *L, const lh_Tape *t, const lh_Slot *s, size_t i, int depth) {
  luaL_checkstack(L, 8, "host row list");
  int64_t n = s->count, nshapes = s->flags;
  int base = lua_gettop(L) + 1;
  i = lh_push_slot(L, t, i, depth + 1);
  i = lh_push_slot(L, t, i, depth + 1);
  i = lh_push_slot(L, t, i, depth + 1);
  if (lua_type(L, base) != LUA_TSTRING || lua_type(L, base + 1) != LUA_TTABLE || lua_type(L, base + 2) != LUA_TTABLE)
    luaL_error(L, "host row list is malformed");
  if (n < 0 || nshapes < 0 || s->u.offset < 0 || (size_t)s->u.offset > t->nbytes ||
      (uint64_t)n > (t->nbytes - (size_t)s->u.offset) / 8 || n > INT32_MAX)
    luaL_error(L, "host row list is truncated");
  const char *packed = t->bytes + s->u.offset;
  size_t left = t->nbytes - (size_t)s->u.offset - (size_t)n * 8;
  const char *text = packed + (size_t)n * 8;
  lua_createtable(L, (int)n, 0);
  for (int64_t k = 0; k < n; k++) {
    uint32_t len;
    memcpy(&len, packed + (size_t)(n + k) * 4, 4);
    if (len > left) luaL_error(L, "host row list is truncated");
    lh_push_mirrored(L, t, k + 1, text, len);
    lua_rawseti(L, -2, (lua_Integer)(k + 1));
    text += len;
    left -= len;
  }
  uint32_t *index = (uint32_t *)lua_newuserdatauv(L, n > 0 ? (size_t)n * 4 : 1, 0);
  if (n > 0) memcpy(index, packed, (size_t)n * 4);
  for (int64_t k = 0; k < n; k++)
    if ((int64_t)index[k] >= nshapes) luaL_error(L, "host row list names shape %d of %d", (int)index[k], (int)nshapes);
  lh_rows_make(L, (lua_Integer)n, (lua_Integer)nshapes);
  return i;
}

/* [-0, +1, e] pushes the value at slot i; returns the index after it. */
static size_t lh_push_slot(lua_State *L, const lh_Tape *t, size_t i, int depth) {
  if (i >= t->nslots) luaL_error(L, "host value is truncated");
  if (depth > 200) luaL_error(L, "host value is nested too deeply");
  luaL_checkstack(L, 4, "host value is nested too deeply");
  const lh_Slot *s = &t->slots[i++];
  switch (s->tag) {
    case LH_TAG_NIL: lua_pushnil(L); break;
    case LH_TAG_FALSE: lua_pushboolean(L, 0); break;
    case LH_TAG_TRUE: lua_pushboolean(L, 1); break;
    case LH_TAG_INTEGER: lua_pushinteger(L, (lua_Integer)s->u.i); break;
    case LH_TAG_NUMBER: lua_pushnumber(L, (lua_Number)s->u.n); break;
    case LH_TAG_STRING:
      lh_push_mirrored(L, t, s->flags, t->bytes + s->u.offset, (size_t)s->count);
      break;
    case LH_TAG_ARRAY: {
      lua_createtable(L, lh_presize(s->count, t->nslots - i, 1), 0);
      for (int64_t k = 1; k <= s->count; k++) {
        const lh_Slot *e = i < t->nslots ? &t->slots[i] : NULL;
        if (e != NULL && e->tag == LH_TAG_STRING) { /* lists of ids: no recursion, no stack check */
          lh_push_mirrored(L, t, e->flags, t->bytes + e->u.offset, (size_t)e->count);
          i++;
        } else {
          i = lh_push_slot(L, t, i, depth + 1);
        }
        lua_rawseti(L, -2, (lua_Integer)k);
      }
      break;
    }
    case LH_TAG_MAP: {
      lua_createtable(L, 0, lh_presize(s->count, (t->nslots - i) / 2, 0));
      for (int64_t k = 0; k < s->count; k++) {
        i = lh_push_slot(L, t, i, depth + 1);
        i = lh_push_slot(L, t, i, depth + 1);
        lua_rawset(L, -3);
      }
      if (s->u.i != 0) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, (lua_Integer)s->u.i);
        lua_setmetatable(L, -2);
      }
      break;
    }
    case LH_TAG_FUNCTION:
      /* One closure per host function, kept in the registry: a function pushed twice is the
      ** same Lua value (a decoded null == json.null). */
      luaL_checkstack(L, 3, "host function value");
      if (lua_rawgetp(L, LUA_REGISTRYINDEX, &LH_FUNCTIONS_KEY) != LUA_TTABLE) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_pushvalue(L, -1);
        lua_rawsetp(L, LUA_REGISTRYINDEX, &LH_FUNCTIONS_KEY);
      }
      if (lua_rawgeti(L, -1, (lua_Integer)s->u.i) != LUA_TFUNCTION) {
        lua_pop(L, 1);
        lua_pushinteger(L, (lua_Integer)s->u.i);
        lua_pushcclosure(L, lh_trampoline, 1);
        lua_pushvalue(L, -1);
        lua_rawseti(L, -3, (lua_Integer)s->u.i);
      }
      lua_remove(L, -2);
      break;
    case LH_TAG_REF:
      lua_rawgeti(L, LUA_REGISTRYINDEX, (lua_Integer)s->u.i);
      break;
    case LH_TAG_ROWS:
      i = lh_push_rows(L, t, s, i, depth);
      break;
    default:
      luaL_error(L, "host value has an unknown tag %d", (int)s->tag);
  }
  return i;
}

/* [-0, +n, e] pushes every top-level value; returns n. One stack check
** covers the first few (a tape has at least one slot per value). */
static int lh_push_all(lua_State *L, const lh_Tape *t) {
  enum { CHECKED = 16 };
  luaL_checkstack(L, CHECKED, "too many results");
  int n = 0;
  for (size_t i = 0; i < t->nslots; n++) {
    const lh_Slot *s = &t->slots[i];
    if (n >= CHECKED) luaL_checkstack(L, 1, "too many results");
    if (s->tag == LH_TAG_INTEGER) { /* the common case of a host function's result */
      lua_pushinteger(L, (lua_Integer)s->u.i);
      i++;
    } else {
      i = lh_push_slot(L, t, i, 0);
    }
  }
  return n;
}

static int lh_readonly_newindex(lua_State *L) {
  lua_getmetatable(L, 1);
  lua_getfield(L, -1, "__name");
  const char *name = lua_tostring(L, -1);
  return luaL_error(L, "attempt to modify read-only table '%s'", name ? name : "?");
}

/* next() for a proxy: walks the real table behind it (its metatable's
** __index) without handing that table to the script, which could then
** change it. Immune to a script replacing the global next. */
static int lh_readonly_next(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 2);
  if (!lua_getmetatable(L, 1)) return luaL_error(L, "not a read-only table");
  lua_pushliteral(L, "__index");
  if (lua_rawget(L, -2) != LUA_TTABLE) return luaL_error(L, "not a read-only table");
  lua_pushvalue(L, 2);
  if (lua_next(L, -2)) return 2;
  lua_pushnil(L);
  return 1;
}

/* Declared in lh_internal.h: only the prompt's printer gets this function. */
int lh_readonly_target(lua_State *L) {
  if (lua_type(L, 1) != LUA_TTABLE || !lh_is_readonly(L, 1)) return 0;
  lua_getmetatable(L, 1);
  lua_pushliteral(L, "__index");
  lua_rawget(L, -2);
  return 1;
}

static int lh_readonly_pairs(lua_State *L) {
  lua_pushcfunction(L, lh_readonly_next);
  lua_pushvalue(L, 1);
  lua_pushnil(L);
  return 3;
}

static int lh_readonly_len(lua_State *L) {
  lua_getmetatable(L, 1);
  lua_getfield(L, -1, "__index");
  lua_pushinteger(L, (lua_Integer)lua_rawlen(L, -1));
  return 1;
}

/* [-0, +0, e] whether the table at idx is a read-only proxy made here. */
int lh_is_readonly(lua_State *L, int idx) {
  idx = lua_absindex(L, idx);
  luaL_checkstack(L, 2, NULL);
  if (!lua_getmetatable(L, idx)) return 0;
  lua_pushliteral(L, "__newindex");
  int found = lua_rawget(L, -2) == LUA_TFUNCTION && lua_tocfunction(L, -1) == lh_readonly_newindex;
  lua_pop(L, 2);
  return found;
}

void lh_make_readonly(lua_State *L, const char *name) {
  /* stack: real */
  lua_createtable(L, 0, 0);          /* real, proxy */
  lua_createtable(L, 0, 6);          /* real, proxy, mt */
  lua_pushvalue(L, -3);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, lh_readonly_newindex);
  lua_setfield(L, -2, "__newindex");
  lua_pushcfunction(L, lh_readonly_pairs);
  lua_setfield(L, -2, "__pairs");
  lua_pushcfunction(L, lh_readonly_len);
  lua_setfield(L, -2, "__len");
  lua_pushliteral(L, "locked");
  lua_setfield(L, -2, "__metatable");
  /* the name lives in the metatable, not among the table's fields */
  lua_pushstring(L, name != NULL ? name : "host table");
  lua_setfield(L, -2, "__name");
  lua_setmetatable(L, -2);           /* real, proxy */
  lua_remove(L, -2);                 /* proxy */
}

static int lh_push_tape_k(lua_State *L) {
  lh_Tape t = *(const lh_Tape *)lua_touserdata(L, 1);
  lua_pop(L, 1);
  t.mirror = 0; /* no host call's arguments here */
  return lh_push_all(L, &t);
}

int lh_push_tape(lua_State *L, const lh_Tape *tape, int *npushed) {
  *npushed = 0;
  if (!lua_checkstack(L, 3)) return LUA_ERRMEM;
  int base = lua_gettop(L);
  lua_pushcfunction(L, lh_push_tape_k);
  lua_pushlightuserdata(L, (void *)tape);
  int status = lua_pcall(L, 1, LUA_MULTRET, 0);
  if (status == LUA_OK) *npushed = lua_gettop(L) - base;
  return status;
}

static int lh_setglobal_k(lua_State *L) {
  lh_Tape t = *(const lh_Tape *)lua_touserdata(L, 1);
  const char *name = (const char *)lua_touserdata(L, 2);
  lua_settop(L, 0);
  t.mirror = 0; /* no host call's arguments here */
  if (t.nslots == 0) lua_pushnil(L);
  else lh_push_slot(L, &t, 0, 0);
  lua_setglobal(L, name);
  return 0;
}

int lh_setglobal_tape(lua_State *L, const char *name, const lh_Tape *tape) {
  if (!lua_checkstack(L, 3)) return LUA_ERRMEM;
  lua_pushcfunction(L, lh_setglobal_k);
  lua_pushlightuserdata(L, (void *)tape);
  lua_pushlightuserdata(L, (void *)name);
  return lua_pcall(L, 2, 0, 0);
}

/* [-0, +0, e] luaL_argerror naming the function by the name the host registered
** it under ("fota.append", as the docs name it) rather than the call site's
** ("append", or whatever local it was called through); the call site's name
** serves when the host gave none. */
static int lh_argerror(lua_State *L, int arg, const char *msg, const char *registered) {
  lua_Debug ar;
  if (!lua_getstack(L, 0, &ar)) return luaL_error(L, "bad argument #%d (%s)", arg, msg);
  lua_getinfo(L, "n", &ar);
  if (ar.namewhat != NULL && strcmp(ar.namewhat, "method") == 0) {
    arg--;
    if (arg == 0) return luaL_error(L, "calling '%s' on bad self (%s)", ar.name, msg);
  }
  const char *name = registered != NULL ? registered : ar.name != NULL ? ar.name : "?";
  return luaL_error(L, "bad argument #%d to '%s' (%s)", arg, name, msg);
}

/* [-0, +?, e] Lua calls this for every host function. Swift runs and returns;
** only then are its results pushed or its error raised, all from C.
** Nothing is dispatched while a stop is pending (a limit, Ctrl-C, os.exit in
** another coroutine): the stop is raised instead, so no host function (a
** change to the fleet, a journal record) runs after it. A limit that tripped
** during the call is raised as soon as it returns. */
int lh_trampoline(lua_State *L) {
  lh_Host *h = lh_host(L);
  lh_limits_check_quick(L, h);
  int nargs = lua_gettop(L);
  int64_t id = (int64_t)lua_tointeger(L, lua_upvalueindex(1));
  lh_Tape out = {0};
  int argn = 0;
  int status = h->dispatch(h->dispatch_ctx, L, id, &out, &argn);
  if (status == LH_CALL_MEMERROR) {
    h->mem_refused = 1;
    lua_pushliteral(L, "not enough memory");
    return lua_error(L);
  }
  lh_limits_check_quick(L, h);
  /* The mirror hint becomes the argument's stack index, if it names a table. */
  if (out.mirror <= 0 || out.mirror > nargs || lua_type(L, out.mirror) != LUA_TTABLE) out.mirror = 0;
  switch (status) {
    case LH_CALL_RETURN:
      return lh_push_all(L, &out);
    case LH_CALL_ARGERROR: {
      /* out: the message, then the function's own name for when Lua cannot
      ** tell how it was called (through pcall, say) */
      int n = lh_push_all(L, &out);
      const char *registered = n >= 2 ? lua_tostring(L, -1) : NULL;
      const char *msg = lua_tostring(L, n >= 2 ? -2 : -1);
      return lh_argerror(L, argn, msg ? msg : "invalid value", registered);
    }
    default: {
      if (lh_push_all(L, &out) == 0) lua_pushliteral(L, "host function failed");
      if (lua_type(L, -1) == LUA_TSTRING) {
        luaL_where(L, 1);
        lua_insert(L, -2);
        lua_concat(L, 2);
      }
      return lua_error(L);
    }
  }
}

int lh_host_function_id(lua_State *L, int idx, int64_t *id) {
  if (lua_tocfunction(L, idx) != lh_trampoline || !lua_checkstack(L, 1)) return 0;
  if (lua_getupvalue(L, idx, 1) == NULL) return 0;
  *id = (int64_t)lua_tointeger(L, -1);
  lua_pop(L, 1);
  return 1;
}
