/*
** lh_rows.c: host row lists. A row list stands for a list of records
** {id key = its own string, other fields = one of a few shared shapes}, such
** as the `devices` of a fota.append result: one small table per row would
** cost ~170 bytes a row; here a row costs its id's slot (16 bytes) and a
** 4-byte shape index, and its table is built when read.
**
** The list is an empty table with the metatable every row list shares (kept
** in the registry, so the host recognizes a list by that identity and a
** script, which cannot fetch it (__metatable), cannot forge one). Its data
** lives in a registry table with weak keys, by list: a script never reaches it.
*/
#include <string.h>
#include "lh.h"
#include "lh_internal.h"

/* Their addresses key the registry: the shared metatable and the data by list. */
static const char LH_ROWS_META = 'm';
static const char LH_ROWS_DATA = 'd';

/* A list's data table. */
enum {
  LH_ROWS_IDS = 1,    /* the rows' own strings, 1..n */
  LH_ROWS_INDEX = 2,  /* full userdata: n uint32_t shape indexes, 0-based */
  LH_ROWS_SHAPES = 3, /* nshapes * nfields values (strings; anything else is absent) */
  LH_ROWS_KEYS = 4,   /* 1 + nfields keys: the id's, then the shapes' */
  LH_ROWS_NAME = 5,   /* the list's name, for errors */
  LH_ROWS_CACHE = 6,  /* rows built and still referenced (weak values): identity */
  LH_ROWS_COUNT = 7,  /* n */
  LH_ROWS_NSHAPES = 8
};

/* [-0, +(0|1), -] pushes the data table of the row list at idx and returns 1;
** returns 0 and pushes nothing when the value there is not one. Raw reads
** only: safe from Swift (it needs 3 free stack slots, checked here). */
static int lh_rows_data(lua_State *L, int idx) {
  idx = lua_absindex(L, idx);
  if (lua_type(L, idx) != LUA_TTABLE || !lua_checkstack(L, 3)) return 0;
  if (!lua_getmetatable(L, idx)) return 0;
  lua_rawgetp(L, LUA_REGISTRYINDEX, &LH_ROWS_META);
  int same = lua_rawequal(L, -1, -2);
  lua_pop(L, 2);
  if (!same) return 0;
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &LH_ROWS_DATA) != LUA_TTABLE) {
    lua_pop(L, 1);
    return 0;
  }
  lua_pushvalue(L, idx);
  if (lua_rawget(L, -2) != LUA_TTABLE) {
    lua_pop(L, 2);
    return 0;
  }
  lua_remove(L, -2);
  return 1;
}

/* [-0, +0, -] an integer field of the data table at the top. */
static lua_Integer lh_rows_int(lua_State *L, int field) {
  lua_rawgeti(L, -1, field);
  lua_Integer v = lua_tointegerx(L, -1, NULL);
  lua_pop(L, 1);
  return v;
}

int lh_rows_is(lua_State *L, int idx) {
  if (!lh_rows_data(L, idx)) return 0;
  lua_pop(L, 1);
  return 1;
}

int64_t lh_rows_count(lua_State *L, int idx) {
  if (!lh_rows_data(L, idx)) return -1;
  int64_t n = (int64_t)lh_rows_int(L, LH_ROWS_COUNT);
  lua_pop(L, 1);
  return n;
}

/* [-0, +0, -] the string at the top as bytes (NULL, 0 for anything else). */
static const char *lh_rows_bytes(lua_State *L, size_t *len) {
  if (lua_type(L, -1) != LUA_TSTRING) {
    *len = 0;
    return NULL;
  }
  return lua_tolstring(L, -1, len);
}

/* [-0, +0, -] with the data table at the top: the shape of row i (1-based, in range). */
static lua_Integer lh_rows_shape(lua_State *L, lua_Integer i) {
  lua_rawgeti(L, -1, LH_ROWS_INDEX);
  const uint32_t *index = (const uint32_t *)lua_touserdata(L, -1);
  lua_Integer shape = index != NULL ? (lua_Integer)index[i - 1] : 0;
  lua_pop(L, 1);
  return shape;
}

int lh_rows_row(lua_State *L, int idx, int64_t i, lh_RowField *fields, int max) {
  if (!lh_rows_data(L, idx)) return 0;
  int filled = 0;
  lua_Integer n = lh_rows_int(L, LH_ROWS_COUNT);
  if (i >= 1 && i <= n && max >= 1 && lua_checkstack(L, 4)) {
    lua_Integer shape = lh_rows_shape(L, (lua_Integer)i);
    lua_rawgeti(L, -1, LH_ROWS_KEYS);   /* data, keys */
    lua_rawgeti(L, -2, LH_ROWS_SHAPES); /* data, keys, shapes */
    lua_rawgeti(L, -3, LH_ROWS_IDS);    /* data, keys, shapes, ids */
    int nkeys = (int)lua_rawlen(L, -3);
    for (int f = 0; f < nkeys && f < max; f++) {
      lua_rawgeti(L, -3, f + 1);
      fields[f].key = lh_rows_bytes(L, &fields[f].key_len);
      lua_pop(L, 1);
      if (f == 0) lua_rawgeti(L, -1, (lua_Integer)i);
      else lua_rawgeti(L, -2, shape * (nkeys - 1) + f);
      fields[f].value = lh_rows_bytes(L, &fields[f].value_len);
      lua_pop(L, 1);
      filled = f + 1;
    }
    lua_pop(L, 3);
  }
  lua_pop(L, 1);
  return filled;
}

/* [-0, +1, e] row i of the list whose data table is at `data`: the cached
** table while the script holds it, else a new one (then cached). */
static void lh_rows_push_row(lua_State *L, int data, lua_Integer i) {
  luaL_checkstack(L, 6, "row list");
  lua_rawgeti(L, data, LH_ROWS_CACHE);
  if (lua_rawgeti(L, -1, i) == LUA_TTABLE) {
    lua_remove(L, -2);
    return;
  }
  lua_pop(L, 1);                         /* cache */
  lua_pushvalue(L, data);
  lua_Integer shape = lh_rows_shape(L, i);
  lua_pop(L, 1);
  lua_rawgeti(L, data, LH_ROWS_KEYS);    /* cache, keys */
  int nkeys = (int)lua_rawlen(L, -1);
  lua_rawgeti(L, data, LH_ROWS_SHAPES);  /* cache, keys, shapes */
  lua_createtable(L, 0, nkeys);          /* cache, keys, shapes, row */
  for (int f = 0; f < nkeys; f++) {
    if (f == 0) {
      lua_rawgeti(L, data, LH_ROWS_IDS);
      lua_rawgeti(L, -1, i);
      lua_remove(L, -2);
    } else {
      lua_rawgeti(L, -2, shape * (nkeys - 1) + f);
    }
    if (lua_type(L, -1) != LUA_TSTRING) {
      lua_pop(L, 1);
      continue;
    }
    lua_rawgeti(L, -4, f + 1);           /* ..., row, value, key */
    lua_insert(L, -2);
    lua_rawset(L, -3);
  }
  lua_pushvalue(L, -1);
  lua_rawseti(L, -5, i);                 /* cache[i] = row */
  lua_replace(L, -4);                    /* row, keys, shapes */
  lua_pop(L, 2);
}

/* [-0, +1, e] the data table of the list at 1, or an error. */
static int lh_rows_self(lua_State *L) {
  if (!lh_rows_data(L, 1)) return luaL_error(L, "not a host row list");
  return lua_gettop(L);
}

/* [-0, +0, -] i when the key at idx is an integer (or an integral float) in 1..n, else 0. */
static lua_Integer lh_rows_position(lua_State *L, int idx, lua_Integer n) {
  if (lua_type(L, idx) != LUA_TNUMBER) return 0;
  int isint = 0;
  lua_Integer i = lua_tointegerx(L, idx, &isint);
  return isint && i >= 1 && i <= n ? i : 0;
}

static int lh_rows_index(lua_State *L) {
  int data = lh_rows_self(L);
  lua_Integer i = lh_rows_position(L, 2, lh_rows_int(L, LH_ROWS_COUNT));
  if (i == 0) {
    lua_pushnil(L);
    return 1;
  }
  lh_rows_push_row(L, data, i);
  return 1;
}

static int lh_rows_len(lua_State *L) {
  lh_rows_self(L);
  lua_pushinteger(L, lh_rows_int(L, LH_ROWS_COUNT));
  return 1;
}

/* next() for a row list: 1..n in order (the empty list table has no keys). */
static int lh_rows_next(lua_State *L) {
  lua_settop(L, 2);
  int data = lh_rows_self(L);
  lua_Integer n = lh_rows_int(L, LH_ROWS_COUNT);
  lua_Integer i = lua_isnil(L, 2) ? 1 : lh_rows_position(L, 2, n) + 1;
  if (i <= 1 && !lua_isnil(L, 2)) return luaL_error(L, "invalid key to 'next'");
  if (i > n) {
    lua_pushnil(L);
    return 1;
  }
  lua_pushinteger(L, i);
  lh_rows_push_row(L, data, i);
  return 2;
}

static int lh_rows_pairs(lua_State *L) {
  lua_pushcfunction(L, lh_rows_next);
  lua_pushvalue(L, 1);
  lua_pushnil(L);
  return 3;
}

static int lh_rows_newindex(lua_State *L) {
  lh_rows_self(L);
  lua_rawgeti(L, -1, LH_ROWS_NAME);
  const char *name = lua_tostring(L, -1);
  return luaL_error(L, "%s is read-only (its rows are built when read; copy them into a table of your own to change them)",
                    name != NULL ? name : "the host row list");
}

int lh_rows_refuse(lua_State *L) { return lh_rows_newindex(L); }

/* [-0, +1, e] the metatable every row list shares, made on first use. */
static void lh_rows_push_meta(lua_State *L) {
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &LH_ROWS_META) == LUA_TTABLE) return;
  lua_pop(L, 1);
  lua_createtable(L, 0, 5);
  lua_pushcfunction(L, lh_rows_index);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, lh_rows_newindex);
  lua_setfield(L, -2, "__newindex");
  lua_pushcfunction(L, lh_rows_len);
  lua_setfield(L, -2, "__len");
  lua_pushcfunction(L, lh_rows_pairs);
  lua_setfield(L, -2, "__pairs");
  lua_pushliteral(L, "locked");
  lua_setfield(L, -2, "__metatable");
  lua_pushvalue(L, -1);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &LH_ROWS_META);
}

void lh_rows_make(lua_State *L, lua_Integer n, lua_Integer nshapes) {
  luaL_checkstack(L, 6, "row list");
  int base = lua_gettop(L) - 4;          /* name, keys, shapes, ids, index */
  lua_createtable(L, LH_ROWS_NSHAPES, 0);
  int data = lua_gettop(L);
  lua_pushvalue(L, base + 3);
  lua_rawseti(L, data, LH_ROWS_IDS);
  lua_pushvalue(L, base + 4);
  lua_rawseti(L, data, LH_ROWS_INDEX);
  lua_pushvalue(L, base + 2);
  lua_rawseti(L, data, LH_ROWS_SHAPES);
  lua_pushvalue(L, base + 1);
  lua_rawseti(L, data, LH_ROWS_KEYS);
  lua_pushvalue(L, base);
  lua_rawseti(L, data, LH_ROWS_NAME);
  lh_push_weak_table(L, "v");            /* the cache */
  lua_rawseti(L, data, LH_ROWS_CACHE);
  lua_pushinteger(L, n);
  lua_rawseti(L, data, LH_ROWS_COUNT);
  lua_pushinteger(L, nshapes);
  lua_rawseti(L, data, LH_ROWS_NSHAPES);
  /* the list: empty, so every read reaches __index */
  lua_createtable(L, 0, 0);
  lh_rows_push_meta(L);
  lua_setmetatable(L, -2);               /* data, list */
  lh_registry_weak_table(L, &LH_ROWS_DATA, "k"); /* data, list, by list */
  lua_pushvalue(L, -2);
  lua_pushvalue(L, data);
  lua_rawset(L, -3);                     /* by list[list] = data */
  lua_pop(L, 1);                         /* data, list */
  lua_replace(L, base);                  /* list, keys, shapes, ids, index, data */
  lua_settop(L, base);
}

/* Declared in lh_internal.h: the prompt's printer gets this (with lh_readonly_target). */
int lh_rows_length_of(lua_State *L) {
  int64_t n = lh_rows_count(L, 1);
  if (n < 0) return 0;
  lua_pushinteger(L, (lua_Integer)n);
  return 1;
}
