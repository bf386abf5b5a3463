/*
 * datadir.h - where custodian's data files are read from (docs/operations.md, "Layout").
 *
 * The data files are the policies (policies/), the notice templates (templates/), the web
 * data (web/) and the U.S. Web Design System's assets (node_modules/@uswds/uswds/dist/).
 * An installed binary reads them from its own prefix: BINDIR/../share/custodian (so
 * /usr/bin/custodian reads /usr/share/custodian, and a tree installed with
 * `cmake --install --prefix P` or unpacked from the .deb anywhere reads P/share/custodian),
 * found through /proc/self/exe when that folder holds policies/. A binary run from its build
 * folder finds no such folder and reads the source tree it was built from (CUST_SOURCE_DIR),
 * unless the build turned that off (CUST_SOURCE_DATA=OFF, the packaged build), when it
 * answers the compiled-in install data folder (CUST_INSTALL_DATA_DIR).
 *
 * Every setting that names a data path (--policies, $CUSTODIAN_POLICIES, --assets, ...)
 * still wins over these defaults; this is only where the defaults point.
 */
#ifndef CUSTODIAN_DATADIR_H
#define CUSTODIAN_DATADIR_H

/* The data folder, without a trailing slash. Borrowed, static, computed once (thread-safe). */
const char *cust_data_dir(void);

/*
 * cust_data_dir() + "/" + rel (rel a constant such as "policies"): borrowed, static, one
 * string per distinct `rel` for the life of the process (thread-safe).
 */
const char *cust_data_path(const char *rel);

#endif
