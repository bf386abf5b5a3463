#include "custodian/status.h"

#include <stdarg.h>

enum cust_status cust_err_set(struct cust_err *err, enum cust_status code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        err->code = code;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
        va_end(ap);
    }
    return code;
}

void cust_err_clear(struct cust_err *err)
{
    if (err) {
        err->code = CUST_OK;
        err->msg[0] = '\0';
    }
}

const char *cust_status_name(enum cust_status code)
{
    switch (code) {
    case CUST_OK:
        return "ok";
    case CUST_ENOMEM:
        return "out_of_memory";
    case CUST_EINVAL:
        return "invalid";
    case CUST_ENOTFOUND:
        return "not_found";
    case CUST_ECONFLICT:
        return "conflict";
    case CUST_EDENIED:
        return "denied";
    case CUST_ETOOBIG:
        return "too_big";
    case CUST_EDB:
        return "storage";
    case CUST_EIO:
        return "io";
    case CUST_EINTEGRITY:
        return "integrity";
    }
    return "unknown";
}

int cust_status_exit_code(enum cust_status code)
{
    if (code == CUST_OK)
        return 0;
    if (code == CUST_EINVAL)
        return 2;
    return 1;
}
