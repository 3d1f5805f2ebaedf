/*
** le.h: line editing for fota's prompt, on libedit. Prefix le_.
** Nothing here touches Lua; completion candidates come from a callback.
*/
#ifndef FOTA_LE_H
#define FOTA_LE_H

#include <stddef.h>

enum { LE_LINE = 0, LE_EOF = 1, LE_INTERRUPT = 2 };

/* Returns a malloc'd array of malloc'd candidates for `text` (the word being
** completed), sorted, count in *count; the caller frees them. */
typedef char **(*le_CompleteFn)(void *ctx, const char *text, size_t *count);

/* Sets up libedit: the history file (may be NULL) capped at history_max
** lines, and the completion callback. */
void le_init(const char *history_path, int history_max, le_CompleteFn complete, void *ctx);

/* Reads a line with editing. LE_LINE: *line is malloc'd (free it);
** LE_EOF: Ctrl-D on an empty line; LE_INTERRUPT: Ctrl-C cleared the line. */
int le_readline(const char *prompt, char **line);

/* Adds a line to the history and appends it to the history file. */
void le_add_history(const char *line);

#endif
