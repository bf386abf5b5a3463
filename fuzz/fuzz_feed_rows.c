/*
 * Fuzz the tabular row readers (CSV, TSV, fixed-width) and everything after them: grouping
 * into bookings, the value rules, the zone, the JSON writer. The first byte picks the format.
 * Property: whatever the input, each rendered record is JSON the records parser accepts as
 * JSON (a record may be invalid, never unparseable), and problems name a field.
 */
#include "custodian/compat.h"
#include "custodian/feeds.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const maps[] = {
    "custodian_mapping: 1\nname: f\ninput: {format: csv, charge_order: S}\n"
    "time_zone: America/Los_Angeles\n"
    "booking:\n  booking_number: BN\n  booked_at: {column: T, datetime: '%m/%d/%Y %H:%M'}\n"
    "  person.last_name: L\n  person.first_name: F\n  person.dob: {column: D, date: '%F'}\n"
    "  person.citizenship.status: {column: C, values: {US: citizen, NC: non_citizen}}\n"
    "  person.citizenship.source: {const: self_reported}\n"
    "  person.citizenship.recorded_at: {column: T, date: '%m/%d/%Y %H:%M'}\n"
    "  release_date_public: P\n  extra: {x.y: C}\n"
    "charges:\n  code: {column: K, statute: true}\n  status: {column: St, if_empty: pending}\n"
    "  bail_cents: {column: B, money: dollars}\n",
    "custodian_mapping: 1\nname: f\ninput: {format: tsv}\ntime_zone: UTC\n"
    "ambiguous_times: reject\n"
    "booking:\n  booking_number: BN\n  booked_at: {column: T, datetime: '%F %T'}\n"
    "  person.last_name: L\n  person.first_name: F\n  person.dob: D\n"
    "charges:\n  code: K\n  status: {const: hold}\n  bail_cents: {column: B, money: cents}\n",
    "custodian_mapping: 1\nname: f\ninput: {format: fixed, columns: {BN: [1, 4], T: [5, 16], "
    "L: [21, 6], F: [27, 6], D: [33, 10], K: [43, 8]}}\ntime_zone: Europe/London\n"
    "booking:\n  booking_number: BN\n  booked_at: {column: T, datetime: '%d/%m/%Y %H:%M'}\n"
    "  person.last_name: L\n  person.first_name: F\n  person.dob: {column: D, date: '%d/%m/%Y'}\n"
    "charges:\n  code: K\n  status: {const: pending}\n",
};

static struct cust_map *loaded[3];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t which = data[0] % 3;
    if (!loaded[which]) {
        struct cust_diag d = CUST_DIAG_INIT;
        CUST_ASSERT(cust_map_parse("map", maps[which], strlen(maps[which]), &loaded[which], &d,
                                   NULL) == CUST_OK);
    }
    struct cust_feed_reader *r;
    if (cust_feed_reader_open_mem(loaded[which], "in", (const char *)data + 1, size - 1, &r,
                                  NULL) != CUST_OK)
        return 0;
    struct cust_import_item it = {0};
    while (cust_feed_reader_next(r, &it, NULL) > 0) {
        CUST_ASSERT(it.json && it.len == strlen(it.json));
        for (size_t i = 0; i < it.diag.n; i++)
            CUST_ASSERT(strstr(it.diag.lines[i], ": ") != NULL);
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
