/*
** lh_repl.c: what the interactive prompt needs from Lua: completion of
** globals, fields and indexed paths read raw (no metamethod runs), showing
** results through a printer function, and re-arming limits between chunks.
*/
#include <stdlib.h>
#include <string.h>
#include "lh.h"
#include "lh_internal.h"

static const char *const lh_keywords[] = {
  "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if",
  "in", "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while", NULL};

/* Most completion candidates kept: a script's table may have millions of
** keys, and the candidates live outside the Lua heap. The ones kept are the
** first in sorted order, plus the last one, so the part all of them share
** (what Tab inserts) is the part every match shares: the common prefix of a
** set of strings is that of its smallest and largest. */
#define LH_MAX_CANDIDATES 1000

/* How many __index tables completion follows from a table (proxies keep
** their fields in the first). */
#define LH_INDEX_DEPTH 4

/* A name found while completing, outside the Lua heap. */
typedef struct lh_Name {
  char *s;
  size_t len;
} lh_Name;

typedef struct lh_Completion {
  lh_Host *host;        /* the names are charged to its memory budget */
  const char *text;
  size_t textlen;
  const char *word;     /* the partial name after the prefix */
  size_t wordlen;
  lh_Name *names;       /* kept matches, sorted and unique after lh_compact */
  size_t count, cap;
  int dropped;          /* lh_compact dropped matches past the kept ones */
  lh_Name largest;      /* the largest match seen (a copy) */
  size_t *steps;        /* keys visited plus name comparisons, for tests */
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

static int lh_name_compare(const char *a, size_t alen, const char *b, size_t blen) {
  int r = memcmp(a, b, alen < blen ? alen : blen);
  if (r != 0) return r;
  return alen < blen ? -1 : alen > blen;
}

/* qsort has no context argument: the comparison counter of the sort running
** on this thread (several states may complete at once on other threads). */
static _Thread_local size_t *lh_sort_steps;

static int lh_sort_compare(const void *a, const void *b) {
  const lh_Name *x = (const lh_Name *)a, *y = (const lh_Name *)b;
  (*lh_sort_steps)++;
  return lh_name_compare(x->s, x->len, y->s, y->len);
}

/* A copy of a name, charged to the script's memory budget like everything
** the host builds from script values; NULL when it does not fit. A refusal
** here is not recorded: the next chunk must not fail for it. */
static char *lh_copy(lh_Completion *c, const char *s, size_t len) {
  int refused = c->host->mem_refused, call_refused = c->host->call_refused;
  if (!lh_charge(c->host, len + 1)) {
    c->host->mem_refused = refused;
    c->host->call_refused = call_refused;
    return NULL;
  }
  char *copy = (char *)malloc(len + 1);
  if (copy == NULL) {
    lh_credit(c->host, len + 1);
    return NULL;
  }
  memcpy(copy, s, len);
  copy[len] = '\0';
  return copy;
}

static void lh_free_name(lh_Completion *c, char *s, size_t len) {
  if (s == NULL) return;
  free(s);
  lh_credit(c->host, len + 1);
}

/* Sorts the kept names, drops duplicates (a field shadowing one of its
** __index table, a global named like a keyword) and keeps the smallest
** LH_MAX_CANDIDATES. Run each time the list doubles past that, so a walk of
** n keys costs O(n log LH_MAX_CANDIDATES) comparisons: linear in n. */
static void lh_compact(lh_Completion *c) {
  if (c->count > 1) {
    lh_sort_steps = c->steps;
    qsort(c->names, c->count, sizeof(lh_Name), lh_sort_compare);
  }
  size_t kept = 0;
  for (size_t i = 0; i < c->count; i++) {
    int duplicate = kept > 0 && lh_name_compare(c->names[kept - 1].s, c->names[kept - 1].len,
                                                c->names[i].s, c->names[i].len) == 0;
    if (duplicate || kept >= LH_MAX_CANDIDATES) {
      if (!duplicate) c->dropped = 1;
      lh_free_name(c, c->names[i].s, c->names[i].len);
    } else {
      c->names[kept++] = c->names[i];
    }
  }
  c->count = kept;
}

/* Keeps a match: a copy outside the Lua heap, charged to its budget (one
** that does not fit, or whose malloc fails, is left out). */
static void lh_add_candidate(lh_Completion *c, const char *name, size_t len) {
  (*c->steps)++;
  if (c->largest.s == NULL || lh_name_compare(name, len, c->largest.s, c->largest.len) > 0) {
    char *copy = lh_copy(c, name, len);
    if (copy != NULL) {
      lh_free_name(c, c->largest.s, c->largest.len);
      c->largest.s = copy;
      c->largest.len = len;
    }
  }
  if (c->count == c->cap) {
    size_t cap = c->cap ? c->cap * 2 : 16;
    lh_Name *names = (lh_Name *)realloc(c->names, cap * sizeof(lh_Name));
    if (names == NULL) return;
    c->names = names;
    c->cap = cap;
  }
  char *copy = lh_copy(c, name, len);
  if (copy == NULL) return;
  c->names[c->count].s = copy;
  c->names[c->count].len = len;
  c->count++;
  if (c->count >= 2 * LH_MAX_CANDIDATES) lh_compact(c);
}

/* [-0, +0, e] adds the identifier keys of the table at idx that start with
** the word, then those of its metatable's __index tables (read-only proxies
** keep their fields there), all read raw. */
static void lh_add_fields(lua_State *L, int idx, lh_Completion *c) {
  luaL_checkstack(L, 2 * LH_INDEX_DEPTH + 4, NULL);
  int top = lua_gettop(L);
  lua_pushvalue(L, idx);
  for (int depth = 0; depth <= LH_INDEX_DEPTH; depth++) {
    int t = lua_gettop(L);
    lua_pushnil(L);
    while (lua_next(L, t)) {
      (*c->steps)++;
      if (lua_type(L, -2) == LUA_TSTRING) {
        size_t len;
        const char *key = lua_tolstring(L, -2, &len);
        if (len >= c->wordlen && memcmp(key, c->word, c->wordlen) == 0 && lh_is_identifier(key, len))
          lh_add_candidate(c, key, len);
      }
      lua_pop(L, 1);
    }
    if (!lua_getmetatable(L, t)) break;
    lua_pushliteral(L, "__index");
    if (lua_rawget(L, -2) != LUA_TTABLE) break;
  }
  lua_settop(L, top);
}

/* [-1, +1, e] replaces the key at the top with t[key], t being the table at
** idx, read raw, falling back to its metatable's __index tables; nil if
** none has it. */
static void lh_raw_index(lua_State *L, int idx) {
  luaL_checkstack(L, 4, NULL);
  idx = lua_absindex(L, idx);
  int key = lua_gettop(L);
  lua_pushvalue(L, idx);                /* key, t */
  int found = 0;
  for (int depth = 0; depth <= LH_INDEX_DEPTH && !found; depth++) {
    lua_pushvalue(L, key);
    if (lua_rawget(L, -2) != LUA_TNIL) { /* key, t, value */
      found = 1;
      break;
    }
    lua_pop(L, 1);
    if (!lua_getmetatable(L, -1)) break; /* key, t, mt */
    lua_pushliteral(L, "__index");
    if (lua_rawget(L, -2) != LUA_TTABLE) break;
    lua_replace(L, -3);                 /* key, __index table, mt */
    lua_pop(L, 1);
  }
  if (!found) lua_pushnil(L);
  lua_replace(L, key);
  lua_settop(L, key);
}

/* Length of the identifier at s (0 if none starts there). */
static size_t lh_identifier_length(const char *s, size_t len) {
  if (len == 0 || (s[0] >= '0' && s[0] <= '9')) return 0;
  size_t n = 0;
  while (n < len && lh_is_identifier(s + n, 1)) n++;
  return n;
}

/* [-0, +1, e] pushes the key of an index `[...]` starting at text[*pos]
** (an integer, or a string in quotes without escapes) and moves *pos past
** the ']'; returns 0, pushing nothing, when the index is not one of those. */
static int lh_push_index_key(lua_State *L, const char *text, size_t len, size_t *pos) {
  size_t i = *pos + 1; /* past '[' */
  if (i < len && (text[i] == '"' || text[i] == '\'')) {
    char quote = text[i];
    size_t start = ++i;
    while (i < len && text[i] != quote) {
      if (text[i] == '\\' || text[i] == '\n') return 0;
      i++;
    }
    if (i + 1 >= len || text[i + 1] != ']') return 0;
    lua_pushlstring(L, text + start, i - start);
    *pos = i + 2;
    return 1;
  }
  size_t start = i;
  if (i < len && text[i] == '-') i++;
  size_t digits = i;
  lua_Integer value = 0;
  while (i < len && text[i] >= '0' && text[i] <= '9') {
    if (i - digits >= 18) return 0; /* past what surely fits */
    value = value * 10 + (text[i] - '0');
    i++;
  }
  if (i == digits || i >= len || text[i] != ']') return 0;
  lua_pushinteger(L, text[start] == '-' ? -value : value);
  *pos = i + 1;
  return 1;
}

/* The text is a path: a name, then `.name`, `[integer]` or `["string"]`
** steps, and a last `.word` or `:word` being typed (or just a word: a
** global or keyword). Every step is read raw; a step that reaches anything
** but a table ends the completion with no candidates. */
static int lh_complete_k(lua_State *L) {
  lh_Completion *c = (lh_Completion *)lua_touserdata(L, 1);
  const char *text = c->text;
  size_t len = c->textlen;
  luaL_checkstack(L, 4, NULL);
  lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_GLOBALS); /* 2: the globals */
  size_t pos = lh_identifier_length(text, len);
  if (pos == len) { /* a bare name: keywords and globals */
    c->word = text;
    c->wordlen = len;
    for (int i = 0; lh_keywords[i] != NULL; i++)
      if (strncmp(lh_keywords[i], text, len) == 0)
        lh_add_candidate(c, lh_keywords[i], strlen(lh_keywords[i]));
    lh_add_fields(L, 2, c);
    return 0;
  }
  if (pos == 0) return 0;
  lua_pushvalue(L, 2); /* 3: the value reached so far */
  lua_pushlstring(L, text, pos);
  lh_raw_index(L, 3);
  lua_replace(L, 3);
  while (pos < len) {
    char step = text[pos];
    if (step == '.' || step == ':') {
      size_t n = lh_identifier_length(text + pos + 1, len - pos - 1);
      if (pos + 1 + n == len) { /* the word being typed */
        c->word = text + pos + 1;
        c->wordlen = n;
        if (lua_type(L, 3) == LUA_TSTRING && step == ':') { /* methods of strings: s:up<Tab> */
          lua_pushliteral(L, "string");
          lh_raw_index(L, 2);
          lua_replace(L, 3);
        }
        if (lua_type(L, 3) == LUA_TTABLE) lh_add_fields(L, 3, c);
        return 0;
      }
      if (step == ':' || n == 0) return 0;
      lua_pushlstring(L, text + pos + 1, n);
      pos += 1 + n;
    } else if (step == '[') {
      if (!lh_push_index_key(L, text, len, &pos)) return 0;
    } else {
      return 0;
    }
    if (lua_type(L, 3) != LUA_TTABLE) return 0;
    lh_raw_index(L, 3);
    lua_replace(L, 3);
  }
  return 0; /* the text ends with an index: nothing to complete yet */
}

int lh_complete(lua_State *L, const char *text, size_t len, char ***items, size_t *count,
                size_t *steps) {
  size_t ignored = 0;
  lh_Completion c;
  memset(&c, 0, sizeof c);
  c.host = lh_host(L);
  c.text = text;
  c.textlen = len;
  c.steps = steps != NULL ? steps : &ignored;
  *c.steps = 0;
  *items = NULL;
  *count = 0;
  int status = LUA_ERRMEM;
  if (lua_checkstack(L, 3)) {
    lua_pushcfunction(L, lh_complete_k);
    lua_pushlightuserdata(L, &c);
    status = lua_pcall(L, 1, 0, 0);
    if (status != LUA_OK) lua_pop(L, 1);
  }
  lh_compact(&c);
  /* the largest match keeps the shared part honest when some were dropped */
  if (c.dropped && c.largest.s != NULL && c.count > 0 && c.count < c.cap &&
      lh_name_compare(c.names[c.count - 1].s, c.names[c.count - 1].len, c.largest.s, c.largest.len) != 0) {
    c.names[c.count++] = c.largest;
    c.largest.s = NULL;
  }
  lh_free_name(&c, c.largest.s, c.largest.len);
  /* each candidate is the whole text: what precedes the word, then the name
  ** (not charged: Swift copies and frees them at once, and there are at most
  ** as many as the names charged above) */
  size_t prefixlen = c.word != NULL ? (size_t)(c.word - text) : 0;
  char **out = c.count > 0 ? (char **)malloc(c.count * sizeof(char *)) : NULL;
  size_t n = 0;
  for (size_t i = 0; i < c.count; i++) {
    char *item = out != NULL ? (char *)malloc(prefixlen + c.names[i].len + 1) : NULL;
    if (item != NULL) {
      memcpy(item, text, prefixlen);
      memcpy(item + prefixlen, c.names[i].s, c.names[i].len + 1);
      out[n++] = item;
    }
    lh_free_name(&c, c.names[i].s, c.names[i].len);
  }
  free(c.names);
  *items = out;
  *count = n;
  return status;
}

void lh_complete_free(char **items, size_t count) {
  for (size_t i = 0; i < count; i++) free(items[i]);
  free(items);
}

static int lh_repl_make_printer_k(lua_State *L) {
  int *ref = (int *)lua_touserdata(L, 2);
  lua_settop(L, 1);
  lua_pushcfunction(L, lh_readonly_target);
  lua_pushcfunction(L, lh_rows_length_of);
  lua_call(L, 2, 1); /* the chunk at 1 returns the printer */
  *ref = luaL_ref(L, LUA_REGISTRYINDEX);
  return 0;
}

int lh_repl_make_printer(lua_State *L, int *ref) {
  if (!lua_checkstack(L, 4)) {
    lua_pop(L, 1);
    lua_pushliteral(L, "not enough stack");
    return LUA_ERRMEM;
  }
  lua_pushcfunction(L, lh_repl_make_printer_k);
  lua_insert(L, -2);
  lua_pushlightuserdata(L, ref);
  return lh_pcall(L, 2, 0);
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
