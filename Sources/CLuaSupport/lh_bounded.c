/*
** lh_bounded.c: library functions whose stock C loops a script could make
** slow, rewritten or wrapped so that the limits still hold. Lua runs no
** hook inside a C function, so each of these either does linear work, checks
** the limits as it goes (lh_limits_check), or checks them when it returns.
*/
#define _GNU_SOURCE /* memmem */
#include <string.h>
#include "lh.h"
#include "lh_internal.h"

/* Comparisons between two checks of the limits in table.sort. */
#define LH_SORT_CHECK_EVERY 1024

/* Calls the stock C function (upvalue 1, which uses no upvalues of its own)
** in this frame, then checks the limits: a long C call (table.concat of a huge list, string.rep) is then
** reported as soon as it returns, even if the script ends right after. */
static int lh_checked_fn(lua_State *L) {
  lh_limits_check(L);
  int n = lua_tocfunction(L, lua_upvalueindex(1))(L);
  lh_limits_check(L);
  return n;
}

/* ---------------------------------------------------------------------------
** table.sort: a heap sort. The stock quicksort runs all its comparisons in C
** (8 million numbers take seconds with no hook, and a C comparison function
** or metamethod keeps hooks away too); this one checks the limits
** every LH_SORT_CHECK_EVERY comparisons and is O(n log n) whatever the data
** or the comparison function. Elements are read and written with lua_geti
** and lua_seti, so metamethods apply as in the stock sort.
*/
typedef struct lh_Sort {
  int has_cmp;
  unsigned long ops;
} lh_Sort;

/* [-2, +0, e] pops b and a; whether a < b. */
static int lh_sort_less(lua_State *L, lh_Sort *s) {
  if ((++s->ops % LH_SORT_CHECK_EVERY) == 0) lh_limits_check(L);
  int less;
  if (s->has_cmp) {
    lua_pushvalue(L, 2);
    lua_rotate(L, -3, 1); /* cmp, a, b */
    lua_call(L, 2, 1);
    less = lua_toboolean(L, -1);
    lua_pop(L, 1);
  } else {
    less = lua_compare(L, -2, -1, LUA_OPLT);
    lua_pop(L, 2);
  }
  return less;
}

/* [-0, +0, e] whether t[i] < t[j]. */
static int lh_sort_less_at(lua_State *L, lh_Sort *s, lua_Integer i, lua_Integer j) {
  lua_geti(L, 1, i);
  lua_geti(L, 1, j);
  return lh_sort_less(L, s);
}

/* [-1, +0, e] sifts the value at the top (taken out of slot `hole`) down the
** heap t[1..n], whose root is at 1, and stores it where it belongs. */
static void lh_sift_down(lua_State *L, lh_Sort *s, lua_Integer hole, lua_Integer n) {
  for (;;) {
    lua_Integer child = 2 * hole;
    if (child > n) break;
    if (child < n && lh_sort_less_at(L, s, child, child + 1)) child++;
    lua_pushvalue(L, -1);
    lua_geti(L, 1, child);
    if (!lh_sort_less(L, s)) break; /* value >= t[child]: the hole is its place */
    lua_geti(L, 1, child);
    lua_seti(L, 1, hole);
    hole = child;
  }
  lua_seti(L, 1, hole);
}

/* Up to this many elements the stock sort runs as it is: it is about four
** times faster, and a million elements take a few tenths of a second in C,
** well inside the second by which a stop may be late. */
#define LH_SORT_STOCK_MAX (1 << 20)

/* table.sort(list [, comp]). The stock sort (upvalue 1) is kept where hooks
** run during it anyway (a Lua comparison function on a table without
** metamethods) or the list is small; otherwise the heap sort below. */
static int lh_sort_fn(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  int plain_table = !lua_getmetatable(L, 1);
  if (!plain_table) lua_pop(L, 1);
  int lua_cmp = lua_type(L, 2) == LUA_TFUNCTION && !lua_iscfunction(L, 2);
  lua_Integer n = (plain_table && lua_cmp) ? 0 : luaL_len(L, 1);
  if (n <= LH_SORT_STOCK_MAX) {
    int results = lua_tocfunction(L, lua_upvalueindex(1))(L);
    lh_limits_check(L);
    return results;
  }
  luaL_argcheck(L, n < (lua_Integer)1 << 40, 1, "array too big");
  lh_Sort s = {0, 0};
  if (!lua_isnoneornil(L, 2)) {
    luaL_checktype(L, 2, LUA_TFUNCTION);
    s.has_cmp = 1;
  }
  lua_settop(L, 2);
  luaL_checkstack(L, 8, "table.sort");
  /* build a max-heap, then move its root to the end n-1 times */
  for (lua_Integer i = n / 2; i >= 1; i--) {
    lua_geti(L, 1, i);
    lh_sift_down(L, &s, i, n);
  }
  for (lua_Integer last = n; last > 1; last--) {
    lua_geti(L, 1, last); /* the value that leaves slot `last` */
    lua_geti(L, 1, 1);
    lua_seti(L, 1, last); /* the largest goes to the end */
    lh_sift_down(L, &s, 1, last - 1);
  }
  lh_limits_check(L);
  return 0;
}

/* ---------------------------------------------------------------------------
** string.find with a plain search (argument 4, or a pattern with no magic
** characters): the stock search compares the pattern at every position,
** quadratic in C; glibc's memmem is linear.
*/
static int lh_has_specials(const char *p, size_t len) {
  for (size_t i = 0; i < len; i++)
    if (p[i] != '\0' && strchr("^$*+?.([%-", p[i]) != NULL) return 1;
  return 0;
}

int lh_plain_find(lua_State *L) {
  size_t ls, lp;
  const char *s = luaL_checklstring(L, 1, &ls);
  const char *p = luaL_checklstring(L, 2, &lp);
  lua_Integer init = luaL_optinteger(L, 3, 1);
  if (!lua_toboolean(L, 4) && lh_has_specials(p, lp)) return -1;
  /* a negative init counts from the end; too far back means the start */
  if (init == 0) init = 1;
  else if (init < 0) init = (lua_Unsigned)-init > ls ? 1 : (lua_Integer)ls + init + 1;
  if ((lua_Unsigned)init - 1 > ls) { /* starts past the end: no match */
    lua_pushnil(L);
    return 1;
  }
  size_t start = (size_t)init - 1;
  const char *found = lp == 0 ? s + start : (const char *)memmem(s + start, ls - start, p, lp);
  if (found == NULL) {
    lua_pushnil(L);
    return 1;
  }
  lua_pushinteger(L, (lua_Integer)(found - s) + 1);
  lua_pushinteger(L, (lua_Integer)(found - s) + (lua_Integer)lp);
  return 2;
}

/* ---------------------------------------------------------------------------
** utf8.codes, raising on a continuation byte where a character should start
** (Lua 5.4.4 bug "'utf8.codes' does not raise an error on spurious
** continuation bytes", fixed in 5.4.5). Upvalue 1: lax (boolean).
*/
#define LH_UTF8_INVALID "invalid UTF-8 code"
#define lh_iscont(c) (((unsigned char)(c) & 0xC0) == 0x80)

/* Decodes one sequence at s (s[len] is readable: Lua strings end in '\0');
** returns its length or 0 if it is invalid. Strict: at most U+10FFFF and no
** surrogates. Overlong forms are always invalid. */
static size_t lh_utf8_decode(const unsigned char *s, size_t len, int strict, lua_Integer *code) {
  static const unsigned long min_for_length[] = {0, 0, 0x80, 0x800, 0x10000, 0x200000, 0x4000000};
  unsigned char c = s[0];
  if (c < 0x80) {
    *code = c;
    return 1;
  }
  size_t n; /* bytes in the sequence */
  unsigned long value;
  if (c >= 0xC0 && c < 0xE0) { n = 2; value = c & 0x1F; }
  else if (c >= 0xE0 && c < 0xF0) { n = 3; value = c & 0x0F; }
  else if (c >= 0xF0 && c < 0xF8) { n = 4; value = c & 0x07; }
  else if (c >= 0xF8 && c < 0xFC) { n = 5; value = c & 0x03; }
  else if (c >= 0xFC && c < 0xFE) { n = 6; value = c & 0x01; }
  else return 0; /* a continuation byte, 0xFE or 0xFF */
  if (n > len) return 0;
  for (size_t i = 1; i < n; i++) {
    if (!lh_iscont(s[i])) return 0;
    value = (value << 6) | (s[i] & 0x3F);
  }
  if (value < min_for_length[n] || value > 0x7FFFFFFFu) return 0;
  if (strict && (value > 0x10FFFFu || (value >= 0xD800u && value <= 0xDFFFu))) return 0;
  *code = (lua_Integer)value;
  return n;
}

/* The iterator: (s, i) -> next position and code point. i is the position
** of the previous character (0 at the start); its continuation bytes are
** skipped, and a continuation byte after a whole character is an error. */
static int lh_codes_next(lua_State *L) {
  size_t len;
  const char *s = luaL_checklstring(L, 1, &len);
  lua_Unsigned i = (lua_Unsigned)lua_tointeger(L, 2);
  int strict = !lua_toboolean(L, lua_upvalueindex(1));
  if (i > 0 && i <= len) { /* skip the previous character */
    i++;
    while (i <= len && lh_iscont(s[i - 1])) i++;
    i--; /* back to a 0-based offset */
  }
  if (i >= len) return 0;
  lua_Integer code;
  size_t n = lh_utf8_decode((const unsigned char *)s + i, len - i, strict, &code);
  if (n == 0 || (i + n < len && lh_iscont(s[i + n]))) return luaL_error(L, LH_UTF8_INVALID);
  lua_pushinteger(L, (lua_Integer)i + 1);
  lua_pushinteger(L, code);
  return 2;
}

static int lh_codes_fn(lua_State *L) {
  size_t len;
  const char *s = luaL_checklstring(L, 1, &len);
  int lax = lua_toboolean(L, 2);
  luaL_argcheck(L, len == 0 || !lh_iscont(s[0]), 1, LH_UTF8_INVALID);
  lua_pushboolean(L, lax);
  lua_pushcclosure(L, lh_codes_next, 1);
  lua_pushvalue(L, 1);
  lua_pushinteger(L, 0);
  return 3;
}

/* [-0, +0, e] t[name] = wrapper with t[name] as upvalue 1; t at the top. */
static void lh_wrap(lua_State *L, const char *name, lua_CFunction wrapper) {
  lua_getfield(L, -1, name);
  lua_pushcclosure(L, wrapper, 1);
  lua_setfield(L, -2, name);
}

void lh_open_bounded_libs(lua_State *L) {
  lua_getglobal(L, LUA_TABLIBNAME);
  lh_wrap(L, "sort", lh_sort_fn);
  lh_wrap(L, "concat", lh_checked_fn);
  lh_wrap(L, "unpack", lh_checked_fn);
  lua_pop(L, 1);

  /* find, match, gsub, format and rep are the sandbox's own wrappers,
  ** which check the limits themselves (lh_sandbox.c) */
  lua_getglobal(L, LUA_STRLIBNAME);
  static const char *const string_checked[] = {"byte", "char", "lower", "reverse", "sub", "upper", NULL};
  for (int i = 0; string_checked[i] != NULL; i++) lh_wrap(L, string_checked[i], lh_checked_fn);
  lua_pop(L, 1);

  lua_getglobal(L, LUA_UTF8LIBNAME);
  lua_pushcfunction(L, lh_codes_fn);
  lua_setfield(L, -2, "codes");
  static const char *const utf8_checked[] = {"char", "codepoint", "len", "offset", NULL};
  for (int i = 0; utf8_checked[i] != NULL; i++) lh_wrap(L, utf8_checked[i], lh_checked_fn);
  lua_pop(L, 1);
}
