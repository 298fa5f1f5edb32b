#ifndef LORE_CLIBPQ_SHIM_H
#define LORE_CLIBPQ_SHIM_H
// libpq from Debian's libpq-dev. Its header lives under /usr/include/postgresql, which the package's
// pkg-config file names; Package.swift reads it from there.
#include <libpq-fe.h>
#endif
