/*
 * niem.c - `custodian export --format niem`: the current bookings as a NIEM booking exchange
 * (schemas/niem-booking/booking-exchange.xsd), written with libxml2's text writer.
 *
 * What leaves: the booking, the person's name, date of birth, sex and FBI / state (CII)
 * numbers, the arrest agency, the charges (code through the statute normaliser, level,
 * status, case, court, next court date, bail) and the release dates. What never leaves in
 * this exchange: citizenship and immigration status, place of birth, home address, aliases,
 * prior convictions and the source's unknown fields (docs/internals/feeds.md, "Export").
 */
#include "custodian/compat.h"
#include "custodian/file.h"
#include "feeds_int.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <libxml/xmlwriter.h>

#include "custodian/date.h"
#include "custodian/ledger.h"
#include "custodian/statute.h"

#define NS_NC  "http://release.niem.gov/niem/niem-core/5.0/"
#define NS_J   "http://release.niem.gov/niem/domains/jxdm/7.0/"
#define NS_CBX "urn:custodian:niem:booking-exchange:1"

struct niem_ctx {
    xmlTextWriterPtr w;
    int64_t n;
    bool failed;
};

/* A string member worth writing (a non-blank string), or NULL. */
static const char *text(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    if (!s)
        return NULL;
    for (const char *c = s; *c; c++)
        if (*c != ' ' && *c != '\t' && *c != '\n' && *c != '\r')
            return s;
    return NULL;
}

static void start(struct niem_ctx *x, const char *qname)
{
    if (xmlTextWriterStartElement(x->w, (const xmlChar *)qname) < 0)
        x->failed = true;
}

static void end(struct niem_ctx *x)
{
    if (xmlTextWriterEndElement(x->w) < 0)
        x->failed = true;
}

static void leaf(struct niem_ctx *x, const char *qname, const char *value)
{
    if (value &&
        xmlTextWriterWriteElement(x->w, (const xmlChar *)qname, (const xmlChar *)value) < 0)
        x->failed = true;
}

/* <outer><inner>value</inner></outer> when value is set. */
static void wrapped(struct niem_ctx *x, const char *outer, const char *inner, const char *value)
{
    if (!value)
        return;
    start(x, outer);
    leaf(x, inner, value);
    end(x);
}

/* A date (YYYY-MM-DD or the partial YYYY-MM-XX / YYYY-XX-XX) in NIEM's date choice. */
static void date_of(struct niem_ctx *x, const char *outer, const char *d)
{
    if (!d || strlen(d) != 10)
        return;
    char part[8];
    start(x, outer);
    if (!strcmp(d + 5, "XX-XX")) {
        snprintf(part, sizeof(part), "%.4s", d);
        leaf(x, "nc:YearDate", part);
    } else if (!strcmp(d + 8, "XX")) {
        snprintf(part, sizeof(part), "%.7s", d);
        leaf(x, "nc:YearMonthDate", part);
    } else {
        leaf(x, "nc:Date", d);
    }
    end(x);
}

/* An instant in the canonical RFC 3339 form (its own offset), under <outer><nc:DateTime>. */
static void instant_of(struct niem_ctx *x, const char *outer, const char *t)
{
    int64_t ts;
    int off;
    if (!t || !cust_time_parse(t, &ts, &off))
        return;
    char out[32];
    cust_time_format(ts, off, false, out);
    wrapped(x, outer, "nc:DateTime", out);
}

static void write_charge(struct niem_ctx *x, const json_t *c, size_t seq)
{
    const char *code = text(c, "code");
    const char *status = text(c, "status");
    if (!code || !status)
        return; /* validated records always have both */
    start(x, "j:Charge");
    leaf(x, "j:ChargeDescriptionText", text(c, "description"));
    char n[24];
    snprintf(n, sizeof(n), "%zu", seq);
    leaf(x, "j:ChargeSequenceID", n);
    wrapped(x, "j:ChargeSeverityLevel", "j:SeverityLevelDescriptionText", text(c, "level"));
    wrapped(x, "j:ChargeStatus", "nc:StatusDescriptionText", status);
    char norm[256];
    start(x, "j:ChargeStatute");
    wrapped(x, "j:StatuteCodeSectionIdentification", "nc:IdentificationID",
            cust_statute_code(code, norm, sizeof(norm)) ? norm : code);
    end(x);
    const char *cn = text(c, "case_number"), *court = text(c, "court");
    const char *next = text(c, "next_court_date");
    const json_t *bail = json_object_get(c, "bail_cents");
    if (cn || court || next || json_is_integer(bail)) {
        start(x, "cbx:ChargeAugmentation");
        leaf(x, "nc:CaseDocketID", cn);
        leaf(x, "cbx:CourtName", court);
        date_of(x, "cbx:NextCourtDate", next);
        if (json_is_integer(bail) && json_integer_value(bail) >= 0) {
            char amt[32];
            json_int_t v = json_integer_value(bail);
            snprintf(amt, sizeof(amt), "%" JSON_INTEGER_FORMAT ".%02d", v / 100, (int)(v % 100));
            wrapped(x, "cbx:BailAmount", "nc:Amount", amt);
        }
        end(x);
    }
    end(x);
}

static enum cust_status write_booking(const char *bn, const char *doc, void *arg)
{
    struct niem_ctx *x = arg;
    json_t *o = json_loads(doc, 0, NULL);
    if (!o)
        return CUST_EINVAL; /* the store holds validated JSON only */
    const json_t *p = json_object_get(o, "person");
    const json_t *ids = json_object_get(p, "ids");
    start(x, "j:Booking");
    instant_of(x, "nc:ActivityDate", text(o, "booked_at"));
    wrapped(x, "j:BookingAgencyRecordIdentification", "nc:IdentificationID", bn);
    wrapped(x, "j:BookingDetentionFacility", "nc:FacilityName", text(o, "facility"));
    start(x, "j:BookingSubject");
    start(x, "nc:RoleOfPerson");
    date_of(x, "nc:PersonBirthDate", text(p, "dob"));
    start(x, "nc:PersonName");
    leaf(x, "nc:PersonGivenName", text(p, "first_name"));
    leaf(x, "nc:PersonMiddleName", text(p, "middle_name"));
    leaf(x, "nc:PersonSurName", text(p, "last_name"));
    end(x);
    leaf(x, "nc:PersonSexText", text(p, "sex"));
    const char *fbi = text(ids, "fbi"), *cii = text(ids, "cii");
    if (fbi || cii) {
        start(x, "j:PersonAugmentation");
        wrapped(x, "j:PersonFBIIdentification", "nc:IdentificationID", fbi);
        wrapped(x, "j:PersonStateFingerprintIdentification", "nc:IdentificationID", cii);
        end(x);
    }
    end(x);
    end(x);
    const char *agency = text(o, "arresting_agency");
    if (agency) {
        start(x, "j:Arrest");
        wrapped(x, "j:ArrestAgency", "nc:OrganizationName", agency);
        end(x);
    }
    const json_t *charges = json_object_get(o, "charges");
    for (size_t i = 0; i < json_array_size(charges); i++)
        write_charge(x, json_array_get(charges, i), i + 1);
    const char *sched = text(o, "scheduled_release"), *rel = text(o, "released_at");
    const char *why = text(o, "release_reason");
    if (sched || rel || why) {
        start(x, "cbx:BookingAugmentation");
        date_of(x, "cbx:ScheduledReleaseDate", sched);
        instant_of(x, "cbx:ReleaseDate", rel);
        leaf(x, "cbx:ReleaseReasonText", why);
        end(x);
    }
    end(x);
    json_decref(o);
    x->n++;
    return x->failed ? CUST_EIO : CUST_OK;
}

enum cust_status cust_feed_export_niem(struct cust_store *s, FILE *out, int32_t day,
                                       const char *sender, const char *actor, const char *target,
                                       int64_t *count, struct cust_err *err)
{
    struct niem_ctx x = {0};
    xmlOutputBufferPtr ob = xmlOutputBufferCreateFile(out, NULL);
    if (!ob || !(x.w = xmlNewTextWriter(ob))) {
        if (ob)
            xmlOutputBufferClose(ob);
        return cust_err_set(err, CUST_ENOMEM, "cannot start the XML writer");
    }
    xmlTextWriterSetIndent(x.w, 1);
    xmlTextWriterSetIndentString(x.w, (const xmlChar *)"  ");
    enum cust_status st = cust_store_begin(s, err);
    if (st == CUST_OK) {
        if (xmlTextWriterStartDocument(x.w, "1.0", "UTF-8", NULL) < 0 ||
            xmlTextWriterStartElement(x.w, (const xmlChar *)"cbx:BookingExchange") < 0 ||
            xmlTextWriterWriteAttribute(x.w, (const xmlChar *)"xmlns:cbx",
                                        (const xmlChar *)NS_CBX) < 0 ||
            xmlTextWriterWriteAttribute(x.w, (const xmlChar *)"xmlns:nc", (const xmlChar *)NS_NC) <
                0 ||
            xmlTextWriterWriteAttribute(x.w, (const xmlChar *)"xmlns:j", (const xmlChar *)NS_J) < 0)
            x.failed = true;
        char now[32];
        cust_time_format(cust_now(), 0, true, now);
        wrapped(&x, "nc:DocumentCreationDate", "nc:DateTime", now);
        leaf(&x, "cbx:SendingAgencyName", sender && *sender ? sender : NULL);
        st = cust_store_each_current(s, day, write_booking, &x, err);
        if (st == CUST_OK && (x.failed || xmlTextWriterEndDocument(x.w) < 0 ||
                              xmlTextWriterFlush(x.w) < 0 || fflush(out) != 0 || ferror(out)))
            st = cust_err_set(err, CUST_EIO, "cannot write the export: %s", strerror(errno));
        else if (st == CUST_EIO)
            st = cust_err_set(err, CUST_EIO, "cannot write the export");
        else if (st == CUST_OK)
            st = cust_file_sync(out, err); /* on disk before the ledger says it was exported */
    }
    if (st == CUST_OK) {
        char asof[11] = "";
        if (day != CUST_NO_DAY)
            cust_date_format(day, asof);
        json_t *d = json_pack("{s:I,s:s?,s:s}", "bookings", (json_int_t)x.n, "as_of",
                              day != CUST_NO_DAY ? asof : NULL, "format", "niem");
        char *detail = json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_decref(d);
        struct cust_ledger_entry e = {actor,
                                      "operator",
                                      "export",
                                      "file",
                                      target ? target : "stdout",
                                      "ok",
                                      "booking exchange export (NIEM)",
                                      detail};
        st = cust_ledger_append(s, &e, err);
        free(detail);
    }
    xmlFreeTextWriter(x.w); /* closes the output buffer, not `out` */
    if (st == CUST_OK)
        st = cust_store_commit(s, err);
    else
        cust_store_rollback(s);
    if (count)
        *count = x.n;
    return st;
}
