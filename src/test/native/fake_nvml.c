/*
 * A stand-in for libnvidia-ml.so.1 with the signatures of nvml.h, so the Java binding's marshalling (handles,
 * strings, unsigned 32- and 64-bit out-parameters, error strings, symbol fallbacks) is tested without a GPU.
 * One device at PCI bus id 0000:65:00.0 / index 0. Variants by -D:
 *   NO_ENERGY_SYMBOL       the library lacks nvmlDeviceGetTotalEnergyConsumption (an old driver)
 *   ENERGY_NOT_SUPPORTED   the device answers NVML_ERROR_NOT_SUPPORTED for energy (a pre-Volta board)
 */
#include <string.h>

typedef int nvmlReturn_t;
typedef struct nvmlDevice_st *nvmlDevice_t;

#define NVML_SUCCESS 0
#define NVML_ERROR_INVALID_ARGUMENT 2
#define NVML_ERROR_NOT_SUPPORTED 3
#define NVML_ERROR_NOT_FOUND 6
#define NVML_ERROR_INSUFFICIENT_SIZE 7

static struct nvmlDevice_st { int unused; } the_device;

nvmlReturn_t nvmlInit_v2(void) { return NVML_SUCCESS; }
nvmlReturn_t nvmlShutdown(void) { return NVML_SUCCESS; }

const char *nvmlErrorString(nvmlReturn_t r) {
    switch (r) {
    case NVML_SUCCESS: return "Success";
    case NVML_ERROR_INVALID_ARGUMENT: return "Invalid Argument";
    case NVML_ERROR_NOT_SUPPORTED: return "Not Supported";
    case NVML_ERROR_NOT_FOUND: return "Not Found";
    case NVML_ERROR_INSUFFICIENT_SIZE: return "Insufficient Size";
    default: return "Unknown Error";
    }
}

nvmlReturn_t nvmlDeviceGetHandleByPciBusId_v2(const char *busId, nvmlDevice_t *device) {
    if (strcmp(busId, "0000:65:00.0") != 0) return NVML_ERROR_NOT_FOUND;
    *device = &the_device;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device) {
    if (index != 0) return NVML_ERROR_INVALID_ARGUMENT;
    *device = &the_device;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t device, char *name, unsigned int length) {
    static const char n[] = "Fake H100 80GB HBM3";
    if (device != &the_device) return NVML_ERROR_INVALID_ARGUMENT;
    if (length < sizeof n) return NVML_ERROR_INSUFFICIENT_SIZE;
    memcpy(name, n, sizeof n);
    return NVML_SUCCESS;
}

#ifndef NO_ENERGY_SYMBOL
nvmlReturn_t nvmlDeviceGetTotalEnergyConsumption(nvmlDevice_t device, unsigned long long *energy) {
    static unsigned long long energy_mj = 5000000000000ULL; /* beyond 2^32: all 64 bits must cross */
    if (device != &the_device) return NVML_ERROR_INVALID_ARGUMENT;
#ifdef ENERGY_NOT_SUPPORTED
    (void) energy;
    (void) energy_mj;
    return NVML_ERROR_NOT_SUPPORTED;
#else
    energy_mj += 1000;
    *energy = energy_mj;
    return NVML_SUCCESS;
#endif
}
#endif

nvmlReturn_t nvmlDeviceGetPowerUsage(nvmlDevice_t device, unsigned int *power) {
    if (device != &the_device) return NVML_ERROR_INVALID_ARGUMENT;
    *power = 350123;
    return NVML_SUCCESS;
}

/* nvmlClockType_t: NVML_CLOCK_SM = 1, NVML_CLOCK_MEM = 2 */
nvmlReturn_t nvmlDeviceGetClockInfo(nvmlDevice_t device, int type, unsigned int *clock) {
    if (device != &the_device) return NVML_ERROR_INVALID_ARGUMENT;
    if (type == 1) *clock = 1755;
    else if (type == 2) *clock = 2619;
    else return NVML_ERROR_INVALID_ARGUMENT;
    return NVML_SUCCESS;
}

/* No applications clocks here, as on many GeForce boards: the binding must fall back to the max clock. */
nvmlReturn_t nvmlDeviceGetDefaultApplicationsClock(nvmlDevice_t device, int type, unsigned int *clock) {
    (void) device; (void) type; (void) clock;
    return NVML_ERROR_NOT_SUPPORTED;
}

nvmlReturn_t nvmlDeviceGetMaxClockInfo(nvmlDevice_t device, int type, unsigned int *clock) {
    if (device != &the_device || type != 1) return NVML_ERROR_INVALID_ARGUMENT;
    *clock = 1980;
    return NVML_SUCCESS;
}

/* nvmlTemperatureSensors_t: NVML_TEMPERATURE_GPU = 0 */
nvmlReturn_t nvmlDeviceGetTemperature(nvmlDevice_t device, int sensor, unsigned int *temp) {
    if (device != &the_device || sensor != 0) return NVML_ERROR_INVALID_ARGUMENT;
    *temp = 61;
    return NVML_SUCCESS;
}

/* Only the pre-12.2 name, so the binding's fallback from ...ClocksEventReasons is exercised. A high bit beyond
 * nvml.h's reasons checks that all 64 bits cross and that unknown bits are named, not dropped. */
nvmlReturn_t nvmlDeviceGetCurrentClocksThrottleReasons(nvmlDevice_t device, unsigned long long *reasons) {
    if (device != &the_device) return NVML_ERROR_INVALID_ARGUMENT;
    *reasons = 0x1ULL | 0x4ULL | (1ULL << 40);
    return NVML_SUCCESS;
}
