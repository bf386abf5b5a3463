/*
 * statute.h - the one statute-code normaliser (docs/policy-language.md, "Statute codes").
 *
 * Bookings write a code five ways: "187 PC", "PC187", "P.C. 187(A)", "187(a) PC",
 * "H&S 11350", "HS11350", "VC 23152(A)", "18 U.S.C. § 1326". Every module that compares,
 * stores or shows a code (records' public view and charges, the policy tables and cases,
 * the request desk) passes it through cust_statute_code() and so sees one canonical form:
 *
 *     DESIGNATOR SECTION[(sub)...][/SECTION[(sub)...]]      "PC 245(a)(1)", "PC 664/187(a)"
 *     TITLE USC SECTION[(sub)...]                            "18 USC 1326(b)(2)", "8 CFR 287.7"
 *
 * - the code designator comes first, upper-case, from a fixed alias list (P.C., PEN, PENAL -> PC;
 *   H&S, HSC, HEALTH & SAFETY -> HS; V.C., VEH -> VC; B&P -> BP; W&I -> WI; ...); an unknown
 *   designator is kept, upper-cased without dots or '&' ("LAMC 41.18(d)");
 * - the section number keeps its dots and a glued letter suffix in lower case ("288a", "273ab");
 * - subdivisions follow California's (and the U.S. Code's) drafting scheme by position:
 *   subdivision (a), paragraph (1), subparagraph (A), clause (i), subclause (I): letters in the
 *   1st, 2nd and 4th group are lower-case, in the 3rd and 5th upper-case ("(A)(1)" -> "(a)(1)",
 *   "(e)(2)(c)(IV)" -> "(e)(2)(C)(iv)");
 * - a text that is not a code in these forms ("FTA", "BENCH WARRANT") is kept with its
 *   whitespace collapsed and letters outside parentheses upper-cased.
 * The form is a fixed point: normalising a canonical code returns it unchanged.
 */
#ifndef CUSTODIAN_STATUTE_H
#define CUSTODIAN_STATUTE_H

#include "custodian/compat.h"

/*
 * Write the canonical form of `in` into `out` (at most `cap` bytes, NUL included). Returns false,
 * leaving `out` empty, when `in` is empty or blank, holds a control character or a non-ASCII
 * character other than the section sign and the no-break space, or does not fit.
 */
bool cust_statute_code(const char *in, char *out, size_t cap);

#endif
