#ifndef LORE_CLIBXML2_SHIM_H
#define LORE_CLIBXML2_SHIM_H
// Debian builds libxml2 with ICU, so its encoding header pulls in ICU's C headers. Foundation imports its
// own copy of ICU, and two definitions of `UErrorCode` in one Swift program do not link up. Lore never
// asks libxml2 for ICU converters, so the ICU part of the headers is switched off.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#endif
