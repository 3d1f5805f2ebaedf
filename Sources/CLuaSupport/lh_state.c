/*
** lh_state.c: state creation, the budgeted allocator, panic and closing.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lh.h"

/* Growth from which the allocator also checks the limits: C functions such
** as string.upper or table.concat do long work between two hooks, and
** allocate their result first. */
#define LH_ALLOC_CHECK_BYTES (64u << 10)

/* Accounts nsize - osize; refuses growth past the budget but never a free
** or a shrink, as lua_Alloc requires. When ptr is NULL, osize is a type tag,
** not a size. Once a stop is pending (CPU budget spent, Ctrl-C, wall clock)
** large growth is refused too, so a loop of big C calls ends at its next
** allocation rather than up to 1000 calls later, at the next hook. */
static void *lh_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  lh_Host *h = (lh_Host *)ud;
  size_t old = ptr ? osize : 0;
  if (nsize == 0) {
    free(ptr);
    h->mem_used -= old;
    return NULL;
  }
  if (nsize > old && nsize - old >= LH_ALLOC_CHECK_BYTES && lh_limits_poll(h) != LH_STOP_NONE)
    return NULL;
  if (nsize > old && h->mem_limit != 0 && h->mem_used - old + nsize > h->mem_limit) {
    h->mem_refused = 1;
    return NULL;
  }
  void *p = realloc(ptr, nsize);
  if (p == NULL) {
    if (nsize <= old) return ptr; /* a failed shrink keeps the larger block */
    h->mem_refused = 1;
    return NULL;
  }
  h->mem_used = h->mem_used - old + nsize;
  return p;
}

/* Reached only by a bug in the host: an error outside any protected call. */
static int lh_panic(lua_State *L) {
  size_t len = 0;
  const char *msg = lh_rawstring(L, -1, &len);
  if (msg == NULL) {
    msg = "(error object is not a string)";
    len = strlen(msg);
  }
  fputs("fota: internal error: unprotected Lua error: ", stderr);
  /* the message may come from a script: escaped by the terminal rule, like everything else */
  for (size_t i = 0; i < len;) {
    int escape = 0;
    size_t unit = lh_terminal_unit(msg + i, len - i, 0, &escape);
    for (size_t k = i; k < i + unit; k++) {
      if (escape) fprintf(stderr, "\\%03u", (unsigned)(unsigned char)msg[k]);
      else fputc(msg[k], stderr);
    }
    i += unit;
  }
  fputc('\n', stderr);
  fflush(stderr);
  return 0; /* Lua aborts after the panic function returns */
}

int lh_charge(lh_Host *h, size_t n) {
  if (h->mem_limit != 0 && (n > h->mem_limit || h->mem_used > h->mem_limit - n)) {
    h->mem_refused = 1;
    h->call_refused = 1;
    return 0;
  }
  h->mem_used += n;
  h->host_charged += n;
  return 1;
}

void lh_credit(lh_Host *h, size_t n) {
  if (n > h->host_charged) n = h->host_charged; /* a bug elsewhere must not wrap the counter */
  h->mem_used -= n;
  h->host_charged -= n;
}

int lh_charge_call(lh_Host *h, size_t n) {
  if (!lh_charge(h, n)) return 0;
  h->call_charged += n;
  return 1;
}

int lh_end_call(lh_Host *h) {
  lh_credit(h, h->call_charged);
  h->call_charged = 0;
  int refused = h->call_refused;
  h->call_refused = 0;
  return refused;
}

lua_State *lh_newstate(lh_Host *h) {
  lua_State *L = lua_newstate(lh_alloc, h);
  if (L != NULL) {
    lua_atpanic(L, lh_panic);
    h->main = L;
    /* threads copy the main thread's extra space: zero means "may run" */
    memset(lua_getextraspace(L), 0, LUA_EXTRASPACE);
  }
  return L;
}

lh_Host *lh_host(lua_State *L) {
  void *ud = NULL;
  lua_getallocf(L, &ud);
  return (lh_Host *)ud;
}

void lh_close(lua_State *L) { lua_close(L); }

void lh_host_free(lh_Host *h) {
  free(h->err_where);
  free(h->err_traceback);
  h->err_where = NULL;
  h->err_traceback = NULL;
}

const char *lh_rawstring(lua_State *L, int idx, size_t *len) {
  if (lua_type(L, idx) != LUA_TSTRING) return NULL;
  return lua_tolstring(L, idx, len);
}

static int lh_ref_k(lua_State *L) {
  int *ref = (int *)lua_touserdata(L, 2);
  lua_settop(L, 1);
  *ref = luaL_ref(L, LUA_REGISTRYINDEX);
  return 0;
}

int lh_ref(lua_State *L, int *ref) {
  if (!lua_checkstack(L, 3)) return LUA_ERRMEM;
  lua_pushcfunction(L, lh_ref_k);
  lua_insert(L, -2);
  lua_pushlightuserdata(L, ref);
  return lua_pcall(L, 2, 0, 0);
}

void lh_unref(lua_State *L, int ref) { luaL_unref(L, LUA_REGISTRYINDEX, ref); }

static int lh_rawgetfield_k(lua_State *L) {
  const char *key = (const char *)lua_touserdata(L, 2);
  lua_settop(L, 1);
  lua_pushstring(L, key);
  lua_rawget(L, 1);
  return 1;
}

int lh_rawgetfield(lua_State *L, int idx, const char *key) {
  idx = lua_absindex(L, idx);
  if (!lua_checkstack(L, 4)) return LUA_ERRMEM;
  lua_pushcfunction(L, lh_rawgetfield_k);
  lua_pushvalue(L, idx);
  lua_pushlightuserdata(L, (void *)key);
  return lua_pcall(L, 2, 1, 0);
}
