/*
** The build stamp comes from a header the release script writes into its own
** build folder (passed with -Xcc -I), never into the source tree: a stamped
** build leaves the work tree clean, and a new commit recompiles only this file.
*/
#include "fota_build_info.h"
#include <lua5.4/lua.h> /* the path CLua's shim uses: Debian's liblua5.4-dev */

#if defined(__has_include)
#if __has_include("fota_build_stamp.h")
#include "fota_build_stamp.h"
#endif
#endif

#ifndef FOTA_BUILD_COMMIT
#define FOTA_BUILD_COMMIT "unknown"
#endif
#ifndef FOTA_BUILD_SWIFT
#define FOTA_BUILD_SWIFT ""
#endif

const char *fota_build_commit(void) { return FOTA_BUILD_COMMIT; }
const char *fota_build_swift(void) { return FOTA_BUILD_SWIFT; }
const char *fota_lua_release(void) { return LUA_RELEASE; }
