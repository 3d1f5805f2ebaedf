/*
** lh_require.c: require for the operator's own Lua modules. Source files
** only, found under the script's folder or configured library folders; no
** package library, no C loaders, no path outside those folders.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lh.h"
#include "lh_internal.h"

#define LH_MODULE_MAX_BYTES (16u << 20)

static const char LH_PATH_KEY = 'p';   /* registry: array of {root, shown} */
static const char LH_LOADED_KEY = 'l'; /* registry: name -> module value */
static const char LH_LOADING = 'x';    /* sentinel while a module loads */

/* Module names are dotted identifiers; this is what keeps a name from
** leaving the library folders ("..", "/", absolute paths). */
static int lh_valid_module_name(const char *name, size_t len) {
  if (len == 0 || len > 200 || name[0] == '.' || name[len - 1] == '.') return 0;
  for (size_t i = 0; i < len; i++) {
    char c = name[i];
    int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '_' || c == '-' || (c == '.' && name[i + 1] != '.');
    if (!ok) return 0;
  }
  return 1;
}

/* Reads a whole file into malloc'd memory (outside the Lua heap, so nothing
** leaks if a later step raises). 1 = read, 0 = absent, -1 = error or too big. */
static int lh_read_file(const char *path, char **out, size_t *outlen) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) return 0;
  size_t cap = 4096, len = 0;
  char *buf = (char *)malloc(cap);
  int result = 1;
  while (buf != NULL) {
    size_t n = fread(buf + len, 1, cap - len, f);
    len += n;
    if (n == 0) break;
    if (len == cap) {
      if (cap >= LH_MODULE_MAX_BYTES) { result = -1; break; }
      char *bigger = (char *)realloc(buf, cap * 2);
      if (bigger == NULL) { result = -1; break; }
      buf = bigger;
      cap *= 2;
    }
  }
  if (buf == NULL || ferror(f)) result = -1;
  fclose(f);
  if (result != 1) { free(buf); return result; }
  *out = buf;
  *outlen = len;
  return 1;
}

/* __close of the guard below: upvalue 1 is the loaded table, 2 the name. */
static int lh_require_forget(lua_State *L) {
  lua_pushvalue(L, lua_upvalueindex(2));
  if (lua_rawget(L, lua_upvalueindex(1)) == LUA_TLIGHTUSERDATA &&
      lua_touserdata(L, -1) == (void *)&LH_LOADING) {
    lua_pushvalue(L, lua_upvalueindex(2));
    lua_pushnil(L);
    lua_rawset(L, lua_upvalueindex(1));
  }
  return 0;
}

/* [-0, +1, e] a to-be-closed guard for the module being loaded (name at 1,
** loaded table at 2): when the module raises, closing it takes the sentinel
** out of loaded[name], or the next require of that name would report a loop.
** A tbc slot rather than a pcall keeps the module's frames in tracebacks. */
static void lh_push_require_guard(lua_State *L) {
  lua_createtable(L, 0, 0);
  lua_createtable(L, 0, 1);
  lua_pushvalue(L, 2);
  lua_pushvalue(L, 1);
  lua_pushcclosure(L, lh_require_forget, 2);
  lua_setfield(L, -2, "__close");
  lua_setmetatable(L, -2);
}

static int lh_require_fn(lua_State *L) {
  size_t len;
  const char *name = luaL_checklstring(L, 1, &len);
  if (!lh_valid_module_name(name, len))
    return luaL_error(L, "module name '%s' is not valid: use letters, digits, '_', '-' and dots", name);
  lua_settop(L, 1);
  lua_rawgetp(L, LUA_REGISTRYINDEX, &LH_LOADED_KEY); /* 2: loaded */
  lua_pushvalue(L, 1);
  int t = lua_rawget(L, 2);
  if (t == LUA_TLIGHTUSERDATA && lua_touserdata(L, -1) == (void *)&LH_LOADING)
    return luaL_error(L, "module '%s' requires itself (a loop of require calls)", name);
  if (t != LUA_TNIL) return 1;
  lua_pop(L, 1);

  luaL_Buffer rel;
  luaL_buffinit(L, &rel);
  for (size_t i = 0; i < len; i++) luaL_addchar(&rel, name[i] == '.' ? '/' : name[i]);
  luaL_pushresult(&rel); /* 3: relative path without extension */
  lua_rawgetp(L, LUA_REGISTRYINDEX, &LH_PATH_KEY); /* 4: roots */
  lua_Integer nroots = (lua_Integer)lua_rawlen(L, 4);
  static const char *const forms[] = {"%s/%s.lua", "%s/%s/init.lua"};
  for (lua_Integer r = 1; r <= nroots; r++) {
    lua_rawgeti(L, 4, r);     /* 5: {root, shown} */
    lua_rawgeti(L, 5, 1);     /* 6: root */
    lua_rawgeti(L, 5, 2);     /* 7: shown */
    for (int f = 0; f < 2; f++) {
      /* names first: once the file is read nothing may raise before it is freed */
      const char *path = lua_pushfstring(L, forms[f], lua_tostring(L, 6), lua_tostring(L, 3)); /* 8 */
      const char *shown = lua_pushfstring(L, forms[f], lua_tostring(L, 7), lua_tostring(L, 3)); /* 9 */
      const char *chunkname = lua_pushfstring(L, "@%s", shown); /* 10 */
      char *text = NULL;
      size_t textlen = 0;
      int found = lh_read_file(path, &text, &textlen);
      if (found == 0) {
        lua_pop(L, 3);
        continue;
      }
      if (found < 0) return luaL_error(L, "cannot read module '%s' from %s", name, shown);
      int status = lh_loadtext(L, text, textlen, chunkname); /* 11: chunk (loading is protected) */
      free(text);
      if (status != LUA_OK) return lua_error(L);
      lh_push_require_guard(L);
      lua_insert(L, 11); /* 11: guard, 12: chunk */
      lua_toclose(L, 11);
      /* loaded[name] = sentinel while it runs, so a loop is reported */
      lua_pushvalue(L, 1);
      lua_pushlightuserdata(L, (void *)&LH_LOADING);
      lua_rawset(L, 2);
      lua_pushvalue(L, 1);
      lua_pushvalue(L, 9); /* shown path */
      lua_call(L, 2, 1);
      if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        lua_pushboolean(L, 1);
      }
      lua_pushvalue(L, 1);
      lua_pushvalue(L, -2);
      lua_rawset(L, 2);
      return 1; /* closing the guard now finds the module, not the sentinel */
    }
    lua_pop(L, 3);
  }
  return luaL_error(L, "module '%s' not found in the script's folder or the library path", name);
}

void lh_open_require(lua_State *L) {
  lua_createtable(L, 0, 0);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &LH_LOADED_KEY);
  lua_createtable(L, 0, 0);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &LH_PATH_KEY);
  lua_pushcfunction(L, lh_require_fn);
  lua_setglobal(L, "require");
}

static int lh_set_require_path_k(lua_State *L) {
  const char *pairs = (const char *)lua_touserdata(L, 1);
  size_t len = (size_t)lua_tointeger(L, 2);
  int count = (int)lua_tointeger(L, 3);
  lua_createtable(L, count, 0);
  const char *p = pairs, *end = pairs + len;
  for (int i = 1; i <= count && p < end; i++) {
    lua_createtable(L, 2, 0);
    for (int k = 1; k <= 2 && p < end; k++) {
      size_t n = strnlen(p, (size_t)(end - p));
      lua_pushlstring(L, p, n);
      lua_rawseti(L, -2, k);
      p += n + 1;
    }
    lua_rawseti(L, -2, i);
  }
  lua_rawsetp(L, LUA_REGISTRYINDEX, &LH_PATH_KEY);
  return 0;
}

int lh_set_require_path(lua_State *L, const char *pairs, size_t len, int count) {
  if (!lua_checkstack(L, 4)) return LUA_ERRMEM;
  lua_pushcfunction(L, lh_set_require_path_k);
  lua_pushlightuserdata(L, (void *)pairs);
  lua_pushinteger(L, (lua_Integer)len);
  lua_pushinteger(L, count);
  return lua_pcall(L, 3, 0, 0);
}
