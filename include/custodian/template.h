/*
 * template.h - document templates for the notices the desk generates.
 *
 * A template is UTF-8 text with three kinds of tag (a small subset of
 * mustache):
 *   {{name}}             the value of `name` (a string or number)
 *   {{#name}}...{{/name}} the enclosed text when `name` is true / a non-empty string
 *   {{^name}}...{{/name}} the enclosed text when `name` is false, null or absent
 * Rendering is strict: a {{name}} with no value, an unclosed or mismatched
 * section, or a malformed tag is an error naming the line, so a notice never
 * goes out with a hole in it. Output escaping is the caller's choice (text
 * or HTML).
 */
#ifndef CUSTODIAN_TEMPLATE_H
#define CUSTODIAN_TEMPLATE_H

#include "custodian/buf.h"

#include <jansson.h>

enum cust_template_escape { CUST_TEMPLATE_TEXT = 0, CUST_TEMPLATE_HTML = 1 };

/*
 * Render `tpl` (len bytes) with the values in `vars` (a JSON object, borrowed)
 * appending to `out`. `name` labels errors ("notice.en.txt:12: ..."). On error
 * `out` holds partial output the caller should discard.
 */
enum cust_status cust_template_render(const char *name, const char *tpl, size_t len,
                                      const json_t *vars, enum cust_template_escape esc,
                                      struct cust_buf *out, struct cust_err *err)
    CUST_WARN_UNUSED;

#endif
