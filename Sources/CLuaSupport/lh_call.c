/*
** lh_call.c: protected calls with the host's message handler, and loading
** text chunks.
*/
#include <stdlib.h>
#include <string.h>
#include "lh.h"

static char *lh_strdup(const char *s, size_t len) {
  char *copy = (char *)malloc(len + 1);
  if (copy != NULL) {
    memcpy(copy, s, len);
    copy[len] = '\0';
  }
  return copy;
}

/* [-1, +1, e] message handler: records where the error was raised (the first
** Lua frame) and a traceback in the host, outside the Lua heap, and returns
** the error value unchanged. */
static int lh_msgh(lua_State *L) {
  lh_Host *h = lh_host(L);
  free(h->err_where);
  free(h->err_traceback);
  h->err_where = NULL;
  h->err_traceback = NULL;
  lua_Debug ar;
  for (int level = 1; lua_getstack(L, level, &ar); level++) {
    if (lua_getinfo(L, "Sl", &ar) && ar.currentline > 0) {
      lua_pushfstring(L, "%s:%d", ar.short_src, ar.currentline);
      size_t len;
      const char *s = lua_tolstring(L, -1, &len);
      h->err_where = lh_strdup(s, len);
      lua_pop(L, 1);
      break;
    }
  }
  luaL_traceback(L, L, NULL, 1);
  size_t len;
  const char *tb = lua_tolstring(L, -1, &len);
  h->err_traceback = lh_strdup(tb, len);
  lua_pop(L, 1);
  return 1;
}

int lh_pcall(lua_State *L, int nargs, int nresults) {
  lh_Host *h = lh_host(L);
  free(h->err_where);
  free(h->err_traceback);
  h->err_where = NULL;
  h->err_traceback = NULL;
  if (!lua_checkstack(L, 2)) {
    lua_settop(L, lua_gettop(L) - nargs - 1);
    lua_pushliteral(L, "stack overflow");
    return LUA_ERRMEM;
  }
  int base = lua_gettop(L) - nargs;
  lua_pushcfunction(L, lh_msgh);
  lua_insert(L, base);
  int status = lua_pcall(L, nargs, nresults, base);
  lua_remove(L, base);
  return status;
}

int lh_loadtext(lua_State *L, const char *text, size_t len, const char *chunkname) {
  /* Skip a "#!" line but keep its newline so reported lines stay right. */
  if (len > 0 && text[0] == '#') {
    size_t i = 0;
    while (i < len && text[i] != '\n') i++;
    text += i;
    len -= i;
  }
  return luaL_loadbufferx(L, text, len, chunkname, "t");
}
