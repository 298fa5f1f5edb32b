#ifndef LORE_CPOPPLER_SHIM_H
#define LORE_CPOPPLER_SHIM_H
// Poppler's GLib front end, wrapped so that Swift never sees a GError, a GObject cast macro or an action
// union: each helper returns plain values and frees what it allocated, and the one thing Swift owns (the
// document) has a single open and a single close.
#include <poppler.h>
#include <string.h>

typedef enum {
    LORE_PDF_OPENED = 0,
    LORE_PDF_ENCRYPTED = 1,
    LORE_PDF_DAMAGED = 2,
} lore_pdf_open_status;

// Opens a PDF from bytes the caller keeps alive until lore_pdf_close: g_bytes_new_static does not copy,
// so a mapped file is read in place. GError is turned into a status here because POPPLER_ERROR_ENCRYPTED
// is the only distinction Lore makes; every other error means the file cannot be read.
static inline PopplerDocument *lore_pdf_open(const void *bytes, size_t length, lore_pdf_open_status *status) {
    *status = LORE_PDF_DAMAGED;
    if (bytes == NULL || length == 0) return NULL;
    GBytes *data = g_bytes_new_static(bytes, length);
    GError *error = NULL;
    PopplerDocument *document = poppler_document_new_from_bytes(data, NULL, &error);
    // The document holds its own reference to the bytes.
    g_bytes_unref(data);
    if (document != NULL) {
        *status = LORE_PDF_OPENED;
        return document;
    }
    if (error != NULL) {
        if (error->domain == POPPLER_ERROR && error->code == POPPLER_ERROR_ENCRYPTED) *status = LORE_PDF_ENCRYPTED;
        g_error_free(error);
    }
    return NULL;
}

static inline void lore_pdf_close(PopplerDocument *document) {
    if (document != NULL) g_object_unref(document);
}

// Strings poppler hands out are g_malloc'd; freeing them with free() would be wrong on builds where GLib
// uses its own allocator.
static inline void lore_pdf_free_string(char *text) { g_free(text); }

// The text of one page (0-based) in poppler's reading order, or NULL. The page object lives only for this
// call, so a long document keeps one page's text layout in memory at a time.
static inline char *lore_pdf_page_text(PopplerDocument *document, int index) {
    PopplerPage *page = poppler_document_get_page(document, index);
    if (page == NULL) return NULL;
    char *text = poppler_page_get_text(page);
    g_object_unref(page);
    return text;
}

// The outline (bookmarks) is walked from Swift with these: an iterator for each level, freed by the walker.
static inline PopplerIndexIter *lore_pdf_outline_first(PopplerDocument *document) {
    return poppler_index_iter_new(document);
}
static inline PopplerIndexIter *lore_pdf_outline_children(PopplerIndexIter *iter) {
    return poppler_index_iter_get_child(iter);
}
static inline int lore_pdf_outline_next(PopplerIndexIter *iter) { return poppler_index_iter_next(iter) ? 1 : 0; }
static inline void lore_pdf_outline_free(PopplerIndexIter *iter) {
    if (iter != NULL) poppler_index_iter_free(iter);
}

// The title (g_free'd by the caller, may be NULL) and 1-based destination page (0 when it has none) of the
// entry the iterator is on. Named destinations are looked up in the document, as viewers do when clicked.
static inline char *lore_pdf_outline_entry(PopplerDocument *document, PopplerIndexIter *iter, int *page) {
    *page = 0;
    PopplerAction *action = poppler_index_iter_get_action(iter);
    if (action == NULL) return NULL;
    char *title = action->any.title != NULL ? g_strdup(action->any.title) : NULL;
    if (action->type == POPPLER_ACTION_GOTO_DEST && action->goto_dest.dest != NULL) {
        PopplerDest *dest = action->goto_dest.dest;
        if (dest->type == POPPLER_DEST_NAMED && dest->named_dest != NULL) {
            PopplerDest *named = poppler_document_find_dest(document, dest->named_dest);
            if (named != NULL) {
                *page = named->page_num;
                poppler_dest_free(named);
            }
        } else {
            *page = dest->page_num;
        }
    }
    poppler_action_free(action);
    return title;
}
#endif
