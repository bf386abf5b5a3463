/*
 * store_bytes.h - the stored text both backends compute in C (store_sqlite.c, store_postgres.c;
 * docs/internals/store-postgresql.md "Hashes"): the row journal hashes the stored bytes, so a
 * value both backends write must be built once, here. Not a public header.
 */
#ifndef CUSTODIAN_STORE_BYTES_H
#define CUSTODIAN_STORE_BYTES_H

#include "custodian/buf.h"
#include "custodian/store.h"

/* Replace `o` with bookings.public_charges of booking `b` (migration 7): the allow-listed
 * fields of its charges in order, as a JSON array, byte for byte what SQLite's json_object
 * writes from the charge rows (CUST_SQLITE_PUBLIC_CHARGES_OF; bail -1 is null). */
enum cust_status cust_store_public_charges_json(struct cust_buf *o, const struct cust_booking *b);

#endif
