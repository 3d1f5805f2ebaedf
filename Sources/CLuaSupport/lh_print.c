/*
** lh_print.c: tostring without addresses, and print through the host with
** terminal control characters escaped.
*/
#include <stdio.h>
#include "lh.h"
#include "lh_internal.h"

static const char LH_IDS_KEY = 'i'; /* its address keys the registry */

/* [-0, +1, e] like luaL_tolstring, but tables, functions, threads and
** userdata without __tostring show a per-run number instead of an address.
** Also used by string.format's '%s' (lh_sandbox.c). */
const char *lh_tolstring(lua_State *L, int idx) {
  idx = lua_absindex(L, idx);
  int t = lua_type(L, idx);
  if (luaL_getmetafield(L, idx, "__tostring") != LUA_TNIL) {
    lua_pop(L, 1);
    return luaL_tolstring(L, idx, NULL);
  }
  if (t != LUA_TTABLE && t != LUA_TFUNCTION && t != LUA_TTHREAD && t != LUA_TUSERDATA &&
      t != LUA_TLIGHTUSERDATA)
    return luaL_tolstring(L, idx, NULL);
  const char *kind = lua_typename(L, t);
  int has_name = 0;
  if (luaL_getmetafield(L, idx, "__name") != LUA_TNIL) {
    if (lua_type(L, -1) == LUA_TSTRING) {
      kind = lua_tostring(L, -1);
      has_name = 1;
    } else {
      lua_pop(L, 1);
    }
  }
  /* ids[value] = n, in a weak-keyed table so naming a value keeps nothing alive */
  lh_registry_weak_table(L, &LH_IDS_KEY, "k");
  lua_pushvalue(L, idx);
  lua_Integer id;
  if (lua_rawget(L, -2) == LUA_TNUMBER) {
    id = lua_tointeger(L, -1);
    lua_pop(L, 1);
  } else {
    lua_pop(L, 1);
    lua_rawgeti(L, -1, 0); /* the counter lives at ids[0] */
    id = lua_tointeger(L, -1) + 1;
    lua_pop(L, 1);
    lua_pushinteger(L, id);
    lua_rawseti(L, -2, 0);
    lua_pushvalue(L, idx);
    lua_pushinteger(L, id);
    lua_rawset(L, -3);
  }
  lua_pop(L, 1); /* ids */
  const char *s = lua_pushfstring(L, "%s: #%I", kind, (LUAI_UACINT)id);
  if (has_name) lua_remove(L, -2);
  return s;
}

static int lh_tostring_fn(lua_State *L) {
  luaL_checkany(L, 1);
  lh_tolstring(L, 1);
  return 1;
}

/* Length of the valid UTF-8 sequence of two to four bytes at s, or 0 when
** none starts there (overlong forms, surrogates and code points past
** U+10FFFF are not valid); its code point in *cp. */
static size_t lh_utf8_sequence(const unsigned char *s, size_t len, unsigned long *cp) {
  unsigned char c = s[0];
  size_t n;
  unsigned long value, min;
  if (c >= 0xc2 && c <= 0xdf) { n = 2; value = c & 0x1f; min = 0x80; }
  else if (c >= 0xe0 && c <= 0xef) { n = 3; value = c & 0x0f; min = 0x800; }
  else if (c >= 0xf0 && c <= 0xf4) { n = 4; value = c & 0x07; min = 0x10000; }
  else return 0;
  if (len < n) return 0;
  for (size_t k = 1; k < n; k++) {
    if ((s[k] & 0xc0) != 0x80) return 0;
    value = (value << 6) | (s[k] & 0x3f);
  }
  if (value < min || value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff)) return 0;
  *cp = value;
  return n;
}

/* The rule is documented in lh.h. C1 controls matter as much as ESC: U+009B
** is a one-character CSI for many terminals, and a terminal not in UTF-8
** mode reads a lone byte 0x9B the same way. Bytes 0xA0-0xFF outside UTF-8
** stay as they are (Latin-1 text). */
size_t lh_terminal_unit(const char *s, size_t len, int keep_newline, int *escape) {
  const unsigned char *u = (const unsigned char *)s;
  unsigned char c = u[0];
  if (c < 0x80) {
    *escape = (c < 0x20 && c != '\t' && !(c == '\n' && keep_newline)) || c == 0x7f;
    return 1;
  }
  unsigned long cp;
  size_t n = lh_utf8_sequence(u, len, &cp);
  if (n > 0) {
    *escape = cp <= 0x9f;
    return n;
  }
  *escape = c <= 0x9f;
  return 1;
}

/* Appends s to b with lh_terminal_unit's rule, escaped units byte by byte as
** \ddd, so a script cannot drive the operator's terminal. */
static void lh_add_escaped(luaL_Buffer *b, const char *s, size_t len) {
  size_t i = 0, plain = 0; /* s[plain..i) is waiting to be copied as it is */
  while (i < len) {
    int escape;
    size_t n = lh_terminal_unit(s + i, len - i, 1, &escape);
    if (escape) {
      luaL_addlstring(b, s + plain, i - plain);
      for (size_t k = 0; k < n; k++) {
        char esc[8];
        int m = snprintf(esc, sizeof esc, "\\%03u", (unsigned)(unsigned char)s[i + k]);
        luaL_addlstring(b, esc, (size_t)m);
      }
      plain = i + n;
    }
    i += n;
  }
  luaL_addlstring(b, s + plain, len - plain);
}

/* Every argument is converted in place first: once a luaL_Buffer has grown
** past its initial size its box is a to-be-closed slot, and moving it (or
** anything below it) would make Lua close the wrong value on return. */
static int lh_print_fn(lua_State *L) {
  lh_Host *h = lh_host(L);
  int n = lua_gettop(L);
  for (int i = 1; i <= n; i++) {
    lh_tolstring(L, i);
    lua_replace(L, i);
  }
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  for (int i = 1; i <= n; i++) {
    size_t len;
    const char *s = lua_tolstring(L, i, &len);
    if (i > 1) luaL_addchar(&b, '\t');
    lh_add_escaped(&b, s, len);
  }
  luaL_addchar(&b, '\n');
  luaL_pushresult(&b);
  size_t len;
  const char *out = lua_tolstring(L, -1, &len);
  if (h->write != NULL) h->write(h->write_ctx, out, len);
  else fwrite(out, 1, len, stdout);
  return 0;
}

/* [-0, +0, e] installs print and tostring in the global table. */
void lh_open_print(lua_State *L) {
  lua_pushcfunction(L, lh_print_fn);
  lua_setglobal(L, "print");
  lua_pushcfunction(L, lh_tostring_fn);
  lua_setglobal(L, "tostring");
}

void lh_write_stdout(const char *bytes, size_t len) { fwrite(bytes, 1, len, stdout); }

void lh_flush_stdout(void) { fflush(stdout); }
