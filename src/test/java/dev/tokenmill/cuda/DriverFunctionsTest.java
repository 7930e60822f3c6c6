package dev.tokenmill.cuda;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static java.util.Map.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every CUDA driver function tokenmill calls through JCuda exists in the oldest driver it is built for, R535 (CUDA
 * 12.2; README, "Which drivers work"). JCuda 12.6 binds the driver's functions lazily, so on an older driver a newer
 * function fails only when it is first called, and it kills the JVM ("symbol lookup error"); this test fails first.
 */
class DriverFunctionsTest {
    /** {@code cuDriverGetVersion} of R535. */
    private static final int OLDEST = 12020;

    /**
     * The CUDA version whose driver API introduced each function (for JCuda's names: the {@code _v2} entry points
     * where cuda.h maps them, {@code cuGraphInstantiateWithFlags} for {@code cuGraphInstantiate}). A new call needs a
     * row here, looked up in the CUDA Driver API reference.
     */
    private static final Map<String, Integer> INTRODUCED = Map.ofEntries(
            entry("cuInit", 2000), entry("cuDriverGetVersion", 2020), entry("cuGetErrorString", 6000),
            entry("cuDeviceGet", 2000), entry("cuDeviceGetCount", 2000), entry("cuDeviceGetName", 2000),
            entry("cuDeviceGetAttribute", 2000), entry("cuDeviceTotalMem", 3020), entry("cuDeviceGetPCIBusId", 4010),
            entry("cuDevicePrimaryCtxRetain", 7000), entry("cuDevicePrimaryCtxRelease", 7000),
            entry("cuCtxSetCurrent", 4000), entry("cuCtxSynchronize", 2000),
            entry("cuMemAlloc", 3020), entry("cuMemFree", 3020), entry("cuMemGetInfo", 3020),
            entry("cuMemcpyHtoD", 3020), entry("cuMemcpyDtoH", 3020),
            entry("cuModuleLoadDataEx", 2010), entry("cuModuleUnload", 2000), entry("cuModuleGetFunction", 2000), entry("cuFuncSetAttribute", 9000),
            entry("cuLaunchKernel", 4000), entry("cuStreamCreate", 2000), entry("cuStreamDestroy", 4000),
            entry("cuStreamSynchronize", 2000), entry("cuStreamBeginCapture", 10010), entry("cuStreamEndCapture", 10000),
            entry("cuGraphInstantiate", 11040), entry("cuGraphLaunch", 10000), entry("cuGraphUpload", 11010),
            entry("cuGraphDestroy", 10000), entry("cuGraphExecDestroy", 10000),
            entry("cuEventCreate", 2000), entry("cuEventRecord", 2000), entry("cuEventSynchronize", 2000),
            entry("cuEventElapsedTime", 2000), entry("cuEventDestroy", 4000));

    @Test
    void everyDriverFunctionCalledExistsInR535() {
        JavaClasses classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.tokenmill");
        Set<String> called = classes.stream().flatMap(c -> c.getMethodCallsFromSelf().stream())
                .filter(call -> call.getTargetOwner().getName().equals("jcuda.driver.JCudaDriver"))
                .map(call -> call.getTarget().getName()).filter(n -> n.startsWith("cu"))
                .collect(Collectors.toCollection(TreeSet::new));
        assertTrue(called.contains("cuLaunchKernel"), "the scan found the driver calls: " + called);
        Set<String> unknown = called.stream().filter(n -> !INTRODUCED.containsKey(n)).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(Set.of(), unknown, "driver functions without a row in INTRODUCED: look up the CUDA version that "
                + "introduced each and add it");
        Set<String> tooNew = called.stream().filter(n -> INTRODUCED.get(n) > OLDEST).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(Set.of(), tooNew, "these need a driver newer than R535 (CUDA 12.2): keep them out, or raise the "
                + "oldest driver in README, PtxTarget.DRIVER_ADVICE and here");
    }
}
