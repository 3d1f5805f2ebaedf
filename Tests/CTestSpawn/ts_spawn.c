#define _GNU_SOURCE
#include <spawn.h>
#include <signal.h>

#include "ts_spawn.h"

int ts_spawn(pid_t *pid, const char *path, char *const argv[], char *const envp[],
             const char *directory, int in_fd, int out_fd, int err_fd) {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attributes;
  sigset_t none, all;
  int status = posix_spawn_file_actions_init(&actions);
  if (status != 0) return status;
  status = posix_spawnattr_init(&attributes);
  if (status != 0) { posix_spawn_file_actions_destroy(&actions); return status; }
  /* The test process may block or ignore signals (the concurrency runtime's
  ** threads do); the child starts as a fresh process would. */
  sigemptyset(&none);
  sigfillset(&all);
  if (status == 0) status = posix_spawnattr_setsigmask(&attributes, &none);
  if (status == 0) status = posix_spawnattr_setsigdefault(&attributes, &all);
  if (status == 0) status = posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  if (status == 0) status = posix_spawn_file_actions_adddup2(&actions, in_fd, 0);
  if (status == 0) status = posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
  if (status == 0) status = posix_spawn_file_actions_adddup2(&actions, err_fd, 2);
  if (status == 0) status = posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  if (status == 0 && directory != NULL) status = posix_spawn_file_actions_addchdir_np(&actions, directory);
  if (status == 0) status = posix_spawn(pid, path, &actions, &attributes, argv, envp);
  posix_spawnattr_destroy(&attributes);
  posix_spawn_file_actions_destroy(&actions);
  return status;
}
