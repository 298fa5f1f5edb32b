#ifndef LORE_CNCURSESW_SHIM_H
#define LORE_CNCURSESW_SHIM_H
// Wide-character curses needs the X/Open extended interface switched on before the header.
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include <locale.h>
#include <wchar.h>
#include <ncursesw/curses.h>

// `stdscr` is a macro-backed global that Swift 6 refuses as shared mutable state.
static inline WINDOW *lore_stdscr(void) { return stdscr; }

// `getmaxyx` is a macro that assigns to its arguments.
static inline void lore_getmaxyx(WINDOW *w, int *rows, int *cols) {
    int y, x; getmaxyx(w, y, x); *rows = y; *cols = x;
}

// Attribute bits are macros built from NCURSES_BITS, which Swift does not import.
static inline attr_t lore_a_bold(void) { return A_BOLD; }
static inline attr_t lore_a_dim(void) { return A_DIM; }
static inline attr_t lore_a_underline(void) { return A_UNDERLINE; }
static inline attr_t lore_a_reverse(void) { return A_REVERSE; }
static inline attr_t lore_a_italic(void) { return A_ITALIC; }
static inline attr_t lore_a_normal(void) { return A_NORMAL; }

// COLOR_PAIR is a macro too.
static inline int lore_color_pair(int n) { return COLOR_PAIR(n); }

// wcwidth needs a declaration visible under the feature macros above.
static inline int lore_wcwidth(wchar_t c) { return wcwidth(c); }

// KEY_* constants beyond the simple ones are macros computed from others.
static inline int lore_key_resize(void) { return KEY_RESIZE; }
static inline int lore_key_mouse(void) { return KEY_MOUSE; }
static inline int lore_err(void) { return ERR; }
static inline int lore_ok(void) { return OK; }
static inline int lore_key_code_yes(void) { return KEY_CODE_YES; }

// --- used by LoreTUI's TerminalRuntime ---

// COLORS, COLOR_PAIRS and curscr are globals behind macros in the reentrant build.
static inline int lore_colors(void) { return COLORS; }
static inline int lore_color_pairs(void) { return COLOR_PAIRS; }
static inline WINDOW *lore_curscr(void) { return curscr; }

// wattr_set is a macro that packs an extended pair number through its `opts` pointer.
static inline int lore_wattr_set_pair(WINDOW *w, attr_t attrs, int pair) {
    return wattr_set(w, attrs, (NCURSES_PAIRS_T)(pair < 32767 ? pair : 0), &pair);
}

// Wheel events are reported as button 4/5 presses; the masks are macros.
static inline mmask_t lore_wheel_mask(void) { return BUTTON4_PRESSED | BUTTON5_PRESSED; }
static inline int lore_mouse_wheel(void) {
    MEVENT e;
    if (getmouse(&e) != OK) return 0;
    if (e.bstate & BUTTON4_PRESSED) return -1;
    if (e.bstate & BUTTON5_PRESSED) return 1;
    return 0;
}

// Ctrl/Alt-arrows have no KEY_* constants; their codes come from the terminfo capability names
// (kLFT5, kRIT5, kLFT3, kRIT3). tigetstr returns (char *)-1 for a name that is not a string capability.
static inline int lore_key_code_for(const char *capability) {
    char *s = tigetstr(capability);
    if (s == NULL || s == (char *)-1) return -1;
    return key_defined(s);
}

// stdin/stdout are C globals that Swift 6 refuses as shared mutable state.
static inline SCREEN *lore_newterm(void) { return newterm(NULL, stdout, stdin); }

// KEY_F(n) is a function-like macro.
static inline int lore_key_f0(void) { return KEY_F0; }
#endif
