/*
 * checkpoint_read.c - a checkpoint from a file or a manifest: a signed note or a bare text
 * (tlog.h).
 */
#include "custodian/compat.h"
#include "custodian/tlog.h"

enum cust_status cust_checkpoint_read(const char *data, size_t len,
                                      const struct cust_note_verifier *v,
                                      struct cust_checkpoint *cp, bool *signed_note,
                                      struct cust_err *err)
{
    struct cust_note note;
    enum cust_status st = cust_note_open(data, len, v, &note, err);
    *signed_note = st == CUST_OK;
    if (st == CUST_OK) {
        st = cust_checkpoint_parse(note.text, note.text_len, cp, err);
        cust_note_release(&note);
    } else if (st == CUST_EINVAL) { /* a bare checkpoint text? */
        struct cust_err e2 = CUST_ERR_INIT;
        if (cust_checkpoint_parse(data, len, cp, &e2) == CUST_OK)
            st = v ? cust_err_set(err, CUST_EINTEGRITY, "the checkpoint carries no signature")
                   : CUST_OK;
        else if (!strstr(data, "\n\n\xe2\x80\x94 ") && err) /* not meant as a signed note */
            *err = e2;
    }
    return st;
}
