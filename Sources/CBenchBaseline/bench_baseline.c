/*
** bench_baseline.c: plain C API baselines for fota-bench.
*/
#include <stdlib.h>
#include <string.h>
#include "bench_baseline.h"

typedef struct {
  const char *name;
  const char *const *strings;
  const size_t *lengths;
  long n;
  long result;
} bench_Job;

static int bench_read_k(lua_State *L) {
  bench_Job *job = (bench_Job *)lua_touserdata(L, 1);
  lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_GLOBALS);
  lua_pushstring(L, job->name);
  lua_rawget(L, -2);
  lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
  char **copies = (char **)malloc(sizeof(char *) * (size_t)(n > 0 ? n : 1));
  for (lua_Integer i = 1; i <= n; i++) {
    lua_rawgeti(L, -1, i);
    size_t len;
    const char *s = lua_tolstring(L, -1, &len);
    char *copy = (char *)malloc(len + 1);
    memcpy(copy, s, len);
    copy[len] = '\0';
    copies[i - 1] = copy;
    lua_pop(L, 1);
  }
  for (lua_Integer i = 0; i < n; i++) free(copies[i]);
  free(copies);
  job->result = (long)n;
  return 0;
}

long bench_c_read_strings(lua_State *L, const char *name) {
  bench_Job job = {name, NULL, NULL, 0, -1};
  lua_pushcfunction(L, bench_read_k);
  lua_pushlightuserdata(L, &job);
  if (lua_pcall(L, 1, 0, 0) != LUA_OK) {
    lua_pop(L, 1);
    return -1;
  }
  return job.result;
}

static int bench_write_k(lua_State *L) {
  bench_Job *job = (bench_Job *)lua_touserdata(L, 1);
  lua_createtable(L, (int)job->n, 0);
  for (long i = 0; i < job->n; i++) {
    lua_pushlstring(L, job->strings[i], job->lengths[i]);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  lua_setglobal(L, job->name);
  return 0;
}

int bench_c_write_strings(lua_State *L, const char *name, const char *const *strings,
                          const size_t *lengths, long n) {
  bench_Job job = {name, strings, lengths, n, 0};
  lua_pushcfunction(L, bench_write_k);
  lua_pushlightuserdata(L, &job);
  int status = lua_pcall(L, 1, 0, 0);
  if (status != LUA_OK) lua_pop(L, 1);
  return status;
}

static int bench_increment(lua_State *L) {
  lua_pushinteger(L, lua_tointeger(L, 1) + 1);
  return 1;
}

static int bench_register_k(lua_State *L) {
  const char *name = (const char *)lua_touserdata(L, 1);
  lua_pushcfunction(L, bench_increment);
  lua_setglobal(L, name);
  return 0;
}

void bench_c_register_increment(lua_State *L, const char *name) {
  lua_pushcfunction(L, bench_register_k);
  lua_pushlightuserdata(L, (void *)name);
  if (lua_pcall(L, 1, 0, 0) != LUA_OK) lua_pop(L, 1);
}
