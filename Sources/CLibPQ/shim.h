#ifndef LEARNING_GATEWAY_CLIBPQ_SHIM_H
#define LEARNING_GATEWAY_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
