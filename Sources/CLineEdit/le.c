/*
** le.c: the prompt's line editor on libedit's native interface. Ctrl-C and
** Tab are key bindings of our own, so clearing the line and completing
** Lua paths need no signal tricks.
*/
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../CEditLine/editline_shim.h"
#include "le.h"

static EditLine *le_el = NULL;
static History *le_hist = NULL;
static HistEvent le_event;
static char *le_history_path = NULL;
static const char *le_prompt_text = "> ";
static le_CompleteFn le_complete_fn = NULL;
static void *le_complete_ctx = NULL;
static int le_cancelled = 0;
static int le_last_was_tab = 0;
static volatile sig_atomic_t le_sigint = 0;

static char *le_prompt(EditLine *el) {
  (void)el;
  return (char *)le_prompt_text;
}

static unsigned char le_cancel(EditLine *el, int ch) {
  (void)el;
  (void)ch;
  le_cancelled = 1;
  fputs("^C", stdout);
  fflush(stdout);
  return CC_NEWLINE;
}

static int le_is_word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == ':';
}

/* Where the path being completed starts, going back from the cursor over
** names, '.', ':' and whole bracketed indexes, so `fw[1].firm` and
** `t["k"].x` are completed as one path (Lua checks what they mean). */
static const char *le_word_start(const char *buffer, const char *cursor) {
  size_t start = (size_t)(cursor - buffer);
  while (start > 0) {
    if (le_is_word_char(buffer[start - 1])) {
      start--;
      continue;
    }
    if (buffer[start - 1] != ']') break;
    size_t open = start - 1; /* the matching '[' */
    int depth = 0;
    while (1) {
      if (buffer[open] == ']') depth++;
      else if (buffer[open] == '[' && --depth == 0) break;
      if (open == 0) break;
      open--;
    }
    if (buffer[open] != '[' || depth != 0) break; /* unmatched: the path starts after the ']' */
    start = open;
  }
  return buffer + start;
}

static void le_free_list(char **items, size_t count) {
  for (size_t i = 0; i < count; i++) free(items[i]);
  free(items);
}

/* Prints candidates in columns under the line being edited. */
static void le_list(char **items, size_t count) {
  size_t width = 0;
  for (size_t i = 0; i < count; i++) {
    size_t len = strlen(items[i]);
    if (len > width) width = len;
  }
  width += 2;
  size_t columns = width < 80 ? 80 / width : 1;
  fputc('\n', stdout);
  for (size_t i = 0; i < count; i++) {
    fprintf(stdout, "%-*s", (int)width, items[i]);
    if ((i + 1) % columns == 0 || i + 1 == count) fputc('\n', stdout);
  }
  fflush(stdout);
}

/* Tab: completes the word before the cursor as far as all candidates agree;
** a second Tab with nothing more to add lists them. */
static unsigned char le_complete(EditLine *el, int ch) {
  (void)ch;
  const LineInfo *line = el_line(el);
  const char *start = le_word_start(line->buffer, line->cursor);
  size_t wordlen = (size_t)(line->cursor - start);
  char *word = (char *)malloc(wordlen + 1);
  if (word == NULL) return CC_ERROR;
  memcpy(word, start, wordlen);
  word[wordlen] = '\0';
  size_t count = 0;
  char **items = le_complete_fn ? le_complete_fn(le_complete_ctx, word, &count) : NULL;
  unsigned char result = CC_REFRESH;
  if (items == NULL || count == 0) {
    result = CC_REFRESH_BEEP;
  } else {
    size_t common = strlen(items[0]);
    for (size_t i = 1; i < count; i++) {
      size_t k = 0;
      while (k < common && items[i][k] == items[0][k]) k++;
      common = k;
    }
    if (common > wordlen) {
      char *rest = strndup(items[0] + wordlen, common - wordlen);
      if (rest != NULL) el_insertstr(el, rest);
      free(rest);
    } else if (count > 1) {
      if (le_last_was_tab) {
        le_list(items, count);
        result = CC_REDISPLAY;
      } else {
        result = CC_REFRESH_BEEP;
      }
    }
  }
  le_free_list(items, count);
  free(word);
  le_last_was_tab = (result != CC_REDISPLAY);
  return result;
}

static void le_on_sigint(int sig) {
  (void)sig;
  le_sigint = 1;
}

void le_init(const char *history_path, int history_max, le_CompleteFn complete, void *ctx) {
  le_complete_fn = complete;
  le_complete_ctx = ctx;
  le_el = el_init("fota", stdin, stdout, stderr);
  le_hist = history_init();
  history(le_hist, &le_event, H_SETSIZE, history_max);
  history(le_hist, &le_event, H_SETUNIQUE, 1);
  if (history_path != NULL) {
    le_history_path = strdup(history_path);
    history(le_hist, &le_event, H_LOAD, le_history_path);
  }
  el_set(le_el, EL_EDITOR, "emacs");
  el_set(le_el, EL_PROMPT, le_prompt);
  el_set(le_el, EL_HIST, history, le_hist);
  el_set(le_el, EL_SIGNAL, 1); /* restore the terminal if a signal arrives while editing */
  /* While editing, Ctrl-C is a key (bound below), not SIGINT. */
  el_set(le_el, EL_SETTY, "-d", "-isig", NULL);
  el_set(le_el, EL_ADDFN, "fota-complete", "Complete a Lua name or dotted path", le_complete);
  el_set(le_el, EL_BIND, "^I", "fota-complete", NULL);
  el_set(le_el, EL_ADDFN, "fota-cancel", "Discard the line", le_cancel);
  el_set(le_el, EL_BIND, "^C", "fota-cancel", NULL);
}

int le_readline(const char *prompt, char **line) {
  struct sigaction sa, old;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = le_on_sigint;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &old);
  le_prompt_text = prompt;
  le_cancelled = 0;
  le_last_was_tab = 0;
  le_sigint = 0;
  int count = 0;
  const char *text = el_gets(le_el, &count);
  sigaction(SIGINT, &old, NULL);
  if (le_cancelled || le_sigint) {
    fputc('\n', stdout);
    fflush(stdout);
    return LE_INTERRUPT;
  }
  if (text == NULL || count <= 0) return LE_EOF;
  size_t len = strlen(text);
  while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r')) len--;
  *line = strndup(text, len);
  return *line != NULL ? LE_LINE : LE_EOF;
}

void le_add_history(const char *line) {
  history(le_hist, &le_event, H_ENTER, line);
  if (le_history_path != NULL) history(le_hist, &le_event, H_SAVE, le_history_path);
}
