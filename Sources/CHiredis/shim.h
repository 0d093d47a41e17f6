#ifndef LEARNING_GATEWAY_CHIREDIS_SHIM_H
#define LEARNING_GATEWAY_CHIREDIS_SHIM_H
#include <hiredis/hiredis.h>
#include <sys/time.h>

/// The reply element at index `i` of an array reply (Swift cannot index `redisReply **` comfortably).
static inline redisReply *lg_redis_reply_element(redisReply *reply, size_t i) {
    return reply->element[i];
}

/// Builds a `struct timeval` from milliseconds.
static inline struct timeval lg_timeval_ms(long ms) {
    struct timeval tv;
    tv.tv_sec = ms / 1000;
    tv.tv_usec = (ms % 1000) * 1000;
    return tv;
}

/// The context's error text (Swift sees the `char errstr[128]` field as a tuple).
static inline const char *lg_redis_errstr(const redisContext *c) {
    return c->errstr;
}
#endif
