package dev.tokenmill.cuda;

import dev.tokenmill.backend.DeviceInfo;

/**
 * What a {@link Driver} says of its device: the figures launchers size their launches by, and the full
 * description that {@code devices} prints and result files record (name, memory, L2, clocks, driver, ...).
 *
 * @param computeCapability    as one number: 90 for 9.0; picks the packaged PTX
 * @param sms                  streaming multiprocessors: split-K and split-KV grids are sized to fill them
 * @param sharedMemoryPerBlock the most dynamic shared memory one block may opt into, in bytes
 * @param info                 everything the device reports, as {@link dev.tokenmill.backend.Backend#device()} gives it
 */
record DeviceProperties(int computeCapability, int sms, int sharedMemoryPerBlock, DeviceInfo info) {}
