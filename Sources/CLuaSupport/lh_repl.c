/*
** lh_repl.c: what the interactive prompt needs from Lua: completion of
** globals, fields and dotted paths read raw (no metamethod runs), showing
** results through a printer function, and re-arming limits between chunks.
*/
#include <stdlib.h>
#include <string.h>
#include "lh.h"
#include "lh_internal.h"

static const char *const lh_keywords[] = {
  "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if",
  "in", "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while", NULL};

typedef struct lh_Completion {
  const char *text;
  size_t textlen;
  char **items;
  size_t count, cap;
} lh_Completion;

static int lh_is_identifier(const char *s, size_t len) {
  if (len == 0 || (s[0] >= '0' && s[0] <= '9')) return 0;
  for (size_t i = 0; i < len; i++) {
    char c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
      return 0;
  }
  return 1;
}

/* Most completion candidates kept: a script's table may have millions of
** keys, and the candidates live outside the Lua heap (and are checked for
** duplicates one by one). */
#define LH_MAX_CANDIDATES 1000

/* Adds prefix+name (malloc'd, outside the Lua heap) unless already there. */
static void lh_add_candidate(lh_Completion *c, const char *prefix, size_t prefixlen,
                             const char *name, size_t namelen) {
  if (c->count >= LH_MAX_CANDIDATES) return;
  size_t len = prefixlen + namelen;
  for (size_t i = 0; i < c->count; i++)
    if (strlen(c->items[i]) == len && memcmp(c->items[i], prefix, prefixlen) == 0 &&
        memcmp(c->items[i] + prefixlen, name, namelen) == 0)
      return;
  if (c->count == c->cap) {
    size_t cap = c->cap ? c->cap * 2 : 16;
    char **items = (char **)realloc(c->items, cap * sizeof(char *));
    if (items == NULL) return;
    c->items = items;
    c->cap = cap;
  }
  char *item = (char *)malloc(len + 1);
  if (item == NULL) return;
  memcpy(item, prefix, prefixlen);
  memcpy(item + prefixlen, name, namelen);
  item[len] = '\0';
  c->items[c->count++] = item;
}

/* [-0, +0, e] adds the identifier keys of the table at idx that start with
** word, then those of its metatable's __index table (read-only proxies keep
** their fields there), all read raw. */
static void lh_add_fields(lua_State *L, int idx, lh_Completion *c, const char *prefix,
                          size_t prefixlen, const char *word, size_t wordlen, int depth) {
  idx = lua_absindex(L, idx);
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    if (lua_type(L, -2) == LUA_TSTRING) {
      size_t len;
      const char *key = lua_tolstring(L, -2, &len);
      if (len >= wordlen && memcmp(key, word, wordlen) == 0 && lh_is_identifier(key, len))
        lh_add_candidate(c, prefix, prefixlen, key, len);
    }
    lua_pop(L, 1);
    if (c->count >= LH_MAX_CANDIDATES) {
      lua_pop(L, 1); /* the key: the walk ends here */
      break;
    }
  }
  if (depth < 4 && lua_getmetatable(L, idx)) {
    lua_pushliteral(L, "__index");
    if (lua_rawget(L, -2) == LUA_TTABLE)
      lh_add_fields(L, -1, c, prefix, prefixlen, word, wordlen, depth + 1);
    lua_pop(L, 2);
  }
}

/* [-0, +0, e] the value of a field read raw, falling back to a metatable's __index table. */
static int lh_raw_field(lua_State *L, int idx, const char *name, size_t len) {
  idx = lua_absindex(L, idx);
  lua_pushlstring(L, name, len);
  if (lua_rawget(L, idx) != LUA_TNIL) return 1;
  lua_pop(L, 1);
  if (lua_getmetatable(L, idx)) {
    lua_pushliteral(L, "__index");
    if (lua_rawget(L, -2) == LUA_TTABLE) {
      lua_pushlstring(L, name, len);
      lua_rawget(L, -2);
      lua_replace(L, -3);
      lua_pop(L, 1);
      return 1;
    }
    lua_pop(L, 2);
  }
  lua_pushnil(L);
  return 1;
}

static int lh_complete_k(lua_State *L) {
  lh_Completion *c = (lh_Completion *)lua_touserdata(L, 1);
  const char *text = c->text;
  size_t len = c->textlen;
  size_t last = len; /* position of the last '.' or ':' */
  for (size_t i = len; i > 0; i--)
    if (text[i - 1] == '.' || text[i - 1] == ':') { last = i - 1; break; }
  lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_GLOBALS);
  if (last == len) { /* a bare name: globals and keywords */
    for (int i = 0; lh_keywords[i] != NULL; i++)
      if (strncmp(lh_keywords[i], text, len) == 0)
        lh_add_candidate(c, "", 0, lh_keywords[i], strlen(lh_keywords[i]));
    lh_add_fields(L, -1, c, "", 0, text, len, 0);
    return 0;
  }
  /* walk the path a.b.c up to the last separator */
  size_t start = 0;
  for (size_t i = 0; i <= last; i++) {
    if (i == last || text[i] == '.' || text[i] == ':') {
      if (!lh_is_identifier(text + start, i - start)) return 0;
      lh_raw_field(L, -1, text + start, i - start);
      if (lua_type(L, -1) != LUA_TTABLE) {
        /* methods of strings: s:up<TAB> */
        if (lua_type(L, -1) == LUA_TSTRING && i == last && text[last] == ':') {
          lh_raw_field(L, 2, "string", 6);
          if (lua_type(L, -1) != LUA_TTABLE) return 0;
        } else {
          return 0;
        }
      }
      start = i + 1;
    }
  }
  lh_add_fields(L, -1, c, text, last + 1, text + last + 1, len - last - 1, 0);
  return 0;
}

static int lh_compare(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int lh_complete(lua_State *L, const char *text, size_t len, char ***items, size_t *count) {
  lh_Completion c = {text, len, NULL, 0, 0};
  *items = NULL;
  *count = 0;
  if (!lua_checkstack(L, 3)) return LUA_ERRMEM;
  lua_pushcfunction(L, lh_complete_k);
  lua_pushlightuserdata(L, &c);
  int status = lua_pcall(L, 1, 0, 0);
  if (status != LUA_OK) lua_pop(L, 1);
  if (c.count > 1) qsort(c.items, c.count, sizeof(char *), lh_compare);
  *items = c.items;
  *count = c.count;
  return status;
}

void lh_complete_free(char **items, size_t count) {
  for (size_t i = 0; i < count; i++) free(items[i]);
  free(items);
}

static int lh_repl_show_k(lua_State *L) {
  int n = (int)lua_tointeger(L, -1);
  int printer = (int)lua_tointeger(L, -2);
  lua_pop(L, 2);
  /* _ holds the first result */
  lua_pushvalue(L, 1);
  lua_setglobal(L, "_");
  lua_rawgeti(L, LUA_REGISTRYINDEX, printer);
  lua_insert(L, 1);
  lua_call(L, n, 0);
  return 0;
}

int lh_repl_show(lua_State *L, int printer, int nresults) {
  if (!lua_checkstack(L, 4)) {
    lua_pop(L, nresults);
    return LUA_ERRMEM;
  }
  lua_pushcfunction(L, lh_repl_show_k);
  lua_insert(L, -nresults - 1);
  lua_pushinteger(L, printer);
  lua_pushinteger(L, nresults);
  return lh_pcall(L, nresults + 2, 0);
}

void lh_repl_rearm(lua_State *L) { lh_limits_rearm(L); }
