#ifndef LEARNING_GATEWAY_CLIBFUZZER_SHIM_H
#define LEARNING_GATEWAY_CLIBFUZZER_SHIM_H

#include <stddef.h>
#include <stdint.h>

// libFuzzer's entry point for programs that keep their own main (compiler-rt's FuzzerInterface.h).
// Only referenced when built with -sanitize=fuzzer -DFUZZING, which links libFuzzer; nothing to link otherwise.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*UserCb)(const uint8_t *Data, size_t Size));

#endif
