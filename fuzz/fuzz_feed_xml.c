/*
 * Fuzz the XML record reader (libxml2's streaming reader, XPath per field) through the
 * shipped NIEM booking mapping's rules. Property as for the row readers: every rendered
 * record is JSON; the input may be rejected, never crash or leak.
 */
#include "custodian/compat.h"
#include "custodian/feeds.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char map_text[] =
    "custodian_mapping: 1\nname: niem\n"
    "input:\n  format: xml\n  record: j:Booking\n  namespaces:\n"
    "    nc: http://release.niem.gov/niem/niem-core/5.0/\n"
    "    j: http://release.niem.gov/niem/domains/jxdm/7.0/\n"
    "    cbx: urn:custodian:niem:booking-exchange:1\n"
    "booking:\n"
    "  booking_number: j:BookingAgencyRecordIdentification/nc:IdentificationID\n"
    "  booked_at: nc:ActivityDate/nc:DateTime\n"
    "  person.last_name: j:BookingSubject/nc:RoleOfPerson/nc:PersonName/nc:PersonSurName\n"
    "  person.first_name: j:BookingSubject/nc:RoleOfPerson/nc:PersonName/nc:PersonGivenName\n"
    "  person.dob: {path: j:BookingSubject/nc:RoleOfPerson/nc:PersonBirthDate/nc:Date, date: "
    "'%F'}\n"
    "  released_at: {path: cbx:BookingAugmentation/cbx:ReleaseDate/nc:DateTime, datetime: "
    "'%Y-%m-%dT%H:%M:%S%z'}\n"
    "charges:\n  each: j:Charge\n"
    "  code: {path: j:ChargeStatute/j:StatuteCodeSectionIdentification/nc:IdentificationID, "
    "statute: true}\n"
    "  status: j:ChargeStatus/nc:StatusDescriptionText\n"
    "  bail_cents: {path: cbx:ChargeAugmentation/cbx:BailAmount/nc:Amount, money: dollars}\n";

static struct cust_map *map;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!map) {
        struct cust_diag d = CUST_DIAG_INIT;
        CUST_ASSERT(cust_map_parse("niem", map_text, strlen(map_text), &map, &d, NULL) == CUST_OK);
    }
    struct cust_feed_reader *r;
    if (cust_feed_reader_open_mem(map, "in.xml", (const char *)data, size, &r, NULL) != CUST_OK)
        return 0;
    struct cust_import_item it = {0};
    while (cust_feed_reader_next(r, &it, NULL) > 0) {
        struct cust_record rec;
        struct cust_diag v = CUST_DIAG_INIT;
        if (cust_record_parse(it.json, it.len, &rec, &v) == CUST_OK)
            cust_record_release(&rec);
        for (size_t i = 0; i < v.n; i++)
            CUST_ASSERT(strncmp(v.lines[i], "$: not valid JSON", 17) != 0);
        cust_diag_release(&v);
        cust_diag_release(&it.diag);
    }
    cust_import_item_release(&it);
    cust_feed_reader_free(r);
    return 0;
}
