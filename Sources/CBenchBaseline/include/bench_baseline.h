/*
** bench_baseline.h: the same work as fota's Lua bridge, done with the raw C
** API, so benchmarks can report fota's cost as a ratio against plain C.
*/
#ifndef FOTA_BENCH_BASELINE_H
#define FOTA_BENCH_BASELINE_H

#include <stddef.h>
#include "../../CLua/lua_shim.h"

/* [-0, +0, p] copies every string of the array in global `name` into
** malloc'd C strings (as a C host would keep them); returns how many, or -1. */
long bench_c_read_strings(lua_State *L, const char *name);

/* [-0, +0, p] builds global `name` as an array of the n strings. */
int bench_c_write_strings(lua_State *L, const char *name, const char *const *strings,
                          const size_t *lengths, long n);

/* [-0, +0, -] registers global `name` as a C function returning its integer
** argument plus one. */
void bench_c_register_increment(lua_State *L, const char *name);

#endif
