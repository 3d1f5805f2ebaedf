/*
** fota_build_info.h: what `fota --version` reports about the build: the git
** commit and the Swift compiler, stamped by scripts/lib/release.sh, and the
** Lua release of the headers fota was compiled against.
*/
#ifndef FOTA_BUILD_INFO_H
#define FOTA_BUILD_INFO_H

/* The git commit the binary was built from, or "unknown" (a plain swift build). */
const char *fota_build_commit(void);

/* The first line of `swift --version` of the compiler that built it, or "". */
const char *fota_build_swift(void);

/* LUA_RELEASE of the Lua headers fota was compiled against ("Lua 5.4.4"). */
const char *fota_lua_release(void);

#endif
