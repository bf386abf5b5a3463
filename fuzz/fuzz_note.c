/* Fuzz the transparency-log parsers: signed notes (with and without a verifier), checkpoint
 * texts, and signer / verifier key texts (tlog.h). */
#include "custodian/compat.h"
#include "custodian/tlog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char vkey[] = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    struct cust_note_verifier v;
    CUST_ASSERT(cust_note_verifier_parse(vkey, &v, NULL) == CUST_OK);
    const char *s = (const char *)data;
    struct cust_note n;
    struct cust_checkpoint c;
    struct cust_err err = CUST_ERR_INIT;
    if (cust_note_open(s, size, NULL, &n, &err) == CUST_OK) {
        CUST_ASSERT(n.text_len > 0 && n.text[n.text_len - 1] == '\n' && n.signatures > 0);
        if (cust_checkpoint_parse(n.text, n.text_len, &c, &err) == CUST_OK) {
            char *back = cust_checkpoint_format(&c);
            CUST_ASSERT(strncmp(back, n.text, strlen(back)) == 0);
            free(back);
        }
        cust_note_release(&n);
    }
    if (cust_note_open(s, size, &v, &n, &err) == CUST_OK) {
        CUST_ASSERT(n.verified);
        cust_note_release(&n);
    }
    if (cust_checkpoint_parse(s, size, &c, &err) == CUST_OK)
        CUST_ASSERT(c.origin[0] != '\0');
    char *z = cust_xstrndup(s, size);
    struct cust_note_signer sg;
    struct cust_note_verifier vv;
    if (cust_note_signer_parse(z, &sg, &err) == CUST_OK) {
        char *t = cust_note_verifier_text(&sg);
        CUST_ASSERT(cust_note_verifier_parse(t, &vv, NULL) == CUST_OK && vv.key_id == sg.key_id);
        free(t);
        cust_note_signer_wipe(&sg);
    }
    if (cust_note_verifier_parse(z, &vv, &err) == CUST_OK)
        CUST_ASSERT(vv.key_id == cust_note_key_id(vv.name, vv.pk));
    free(z);
    return 0;
}
