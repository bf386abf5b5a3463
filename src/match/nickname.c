/*
 * nickname.c - groups of given names that are the same name (BILL ~ WILLIAM,
 * PACO ~ FRANCISCO, CHUY ~ JESUS). A name may be in several groups (JOE is
 * JOSEPH or JOSE); groups are numbered by their position, at most 64.
 */
#include "custodian/compat.h"
#include "match_internal.h"

/* Each group: space-separated standardised names (uppercase ASCII, no accents). */
static const char *const groups[] = {
    "WILLIAM BILL BILLY WILL WILLIE LIAM",
    "ROBERT BOB BOBBY ROB ROBBIE BERT",
    "RICHARD RICK RICKY DICK RICH RICHIE",
    "JAMES JIM JIMMY JAMIE",
    "JOHN JACK JOHNNY JON",
    "JOSEPH JOE JOEY",
    "JOSE JOE PEPE CHEPE",
    "FRANCISCO PACO PANCHO FRANK",
    "FRANCIS FRANK FRANKIE",
    "MICHAEL MIKE MICKEY MIKEY",
    "THOMAS TOM TOMMY",
    "CHARLES CHARLIE CHUCK CHAS",
    "EDWARD ED EDDIE TED NED",
    "ANTHONY TONY",
    "ANTONIO TONY TONO",
    "DANIEL DAN DANNY",
    "DAVID DAVE DAVEY",
    "STEVEN STEPHEN STEVE STEVIE",
    "CHRISTOPHER CHRIS TOPHER",
    "MATTHEW MATT MATTY",
    "NICHOLAS NICK NICKY",
    "ALEXANDER ALEX SASHA XANDER",
    "ALEJANDRO ALEX ALEJO JANDRO",
    "BENJAMIN BEN BENNY",
    "SAMUEL SAM SAMMY",
    "ANDREW ANDY DREW",
    "JONATHAN JON JONNY",
    "TIMOTHY TIM TIMMY",
    "GREGORY GREG",
    "KENNETH KEN KENNY",
    "RAYMOND RAY",
    "GERALD JERRY GERRY",
    "LAWRENCE LARRY",
    "ZACHARY ZACH ZACK",
    "ELIZABETH LIZ LIZZIE BETH BETTY ELIZA LISA",
    "MARGARET MAGGIE PEGGY MEG",
    "KATHERINE CATHERINE KATHRYN KATE KATHY CATHY KATIE",
    "PATRICIA PAT PATTY TRISH",
    "JENNIFER JEN JENNY",
    "REBECCA BECKY BECCA",
    "DEBORAH DEBRA DEBBIE DEB",
    "SUSAN SUE SUSIE",
    "GUADALUPE LUPE LUPITA",
    "JESUS CHUY CHUCHO",
    "ENRIQUE KIKE QUIQUE",
    "MANUEL MANNY MANOLO",
    "GUILLERMO MEMO",
    "IGNACIO NACHO",
    "ALFREDO FREDDY FREDO",
    "EDUARDO LALO EDDIE",
    "GERARDO JERRY LALO",
    "REFUGIO CUCO CUCA",
    "ROSARIO CHAYO",
    "CONCEPCION CONCHA CONCHITA",
    "DOLORES LOLA LOLITA",
    "FRANCISCA PANCHA PAQUITA",
    "JOSEFINA JOSIE PEPA",
    "ROBERTO BETO",
    "ALBERTO BETO",
    "HUMBERTO BETO",
    "RODRIGO RODRI",
};

_Static_assert(CUST_ARRAY_LEN(groups) <= 64, "nickname groups fit a uint64_t mask");

uint64_t cust__nickname_groups(const char *name)
{
    size_t n = strlen(name);
    if (n == 0)
        return 0;
    uint64_t mask = 0;
    for (size_t g = 0; g < CUST_ARRAY_LEN(groups); g++) {
        const char *s = groups[g];
        while (*s) {
            const char *e = strchr(s, ' ');
            size_t len = e ? (size_t)(e - s) : strlen(s);
            if (len == n && memcmp(s, name, n) == 0) {
                mask |= 1ULL << g;
                break;
            }
            if (!e)
                break;
            s = e + 1;
        }
    }
    return mask;
}

size_t cust__nickname_variants(uint64_t mask, const char **out, size_t *lens, size_t cap)
{
    size_t k = 0;
    for (size_t g = 0; g < CUST_ARRAY_LEN(groups) && k < cap; g++) {
        if (!(mask >> g & 1))
            continue;
        const char *s = groups[g];
        while (*s && k < cap) {
            const char *e = strchr(s, ' ');
            size_t len = e ? (size_t)(e - s) : strlen(s);
            out[k] = s;
            lens[k++] = len;
            if (!e)
                break;
            s = e + 1;
        }
    }
    return k;
}
