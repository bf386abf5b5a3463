/*
 * template.h - document templates: the desk's notices and the web's pages (a subset of
 * mustache).
 *
 *   {{name}}              the value of `name` (a string or number), escaped in HTML mode
 *   {{{name}}}            the same, never escaped (markup the caller built and trusts)
 *   {{#name}}...{{/name}} the enclosed text: once when `name` is true or a non-empty string;
 *                         once with an object as the innermost context; once per element of
 *                         a non-empty list, with the element as the context
 *   {{^name}}...{{/name}} the enclosed text when `name` is false, null, empty or absent
 *   {{.}}                 the innermost context itself (a list of strings)
 *   {{a.b}}               field b of object a
 *   {{! comment }}        nothing
 * A name is looked up from the innermost context outwards. Rendering is strict: a {{name}}
 * with no value, an unclosed or mismatched section, or a malformed tag is an error naming the
 * line, so a notice never goes out with a hole in it and a page never with a missing field.
 * With CUST_TEMPLATE_HTML every {{name}} is HTML-escaped: escaping is the default, raw output
 * the visible exception.
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
                                      struct cust_buf *out, struct cust_err *err) CUST_WARN_UNUSED;

#endif
