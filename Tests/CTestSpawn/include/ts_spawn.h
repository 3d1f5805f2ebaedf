#ifndef TS_SPAWN_H
#define TS_SPAWN_H

#include <sys/types.h>

/*
** ts_spawn: starts `path` with `argv` and `envp` (both NULL-terminated) in
** `directory` (NULL: the caller's), its standard input, output and error the
** caller's descriptors `in_fd`, `out_fd`, `err_fd`, and no other descriptor of
** the caller open. Stores the child's pid in `*pid`.
** Returns 0, or the errno that stopped the start (the child never ran).
**
** Why not Foundation's Process: on Linux its run() reads /proc/self/fd with a
** struct copy that over-reads glibc's buffer and crashes once a process holds
** about 1,300 descriptors (swift-corelibs-foundation #5472), which a test
** bundle running hundreds of simulators side by side reaches.
*/
int ts_spawn(pid_t *pid, const char *path, char *const argv[], char *const envp[],
             const char *directory, int in_fd, int out_fd, int err_fd);

#endif
