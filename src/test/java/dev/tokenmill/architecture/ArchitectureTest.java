package dev.tokenmill.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The package picture of ARCHITECTURE.md, checked on the compiled classes of src/main and benchmarks (every
 * reference counts, imports and fully qualified names alike): no package cycle, each package uses only the packages
 * listed for it, and nothing in src/main uses the benchmarks' package. A new arrow fails here; add it to the map
 * (and to ARCHITECTURE.md) only if it points down.
 */
class ArchitectureTest {
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.tokenmill");

    /** Each package, top to bottom, and the tokenmill packages it may use. {@code root} is {@code dev.tokenmill} itself. */
    static final Map<String, List<String>> MAY_USE = new LinkedHashMap<>();

    static {
        MAY_USE.put("cli", List.of("measure", "report", "rollup", "backends", "backend", "reference", "tensor", "op", "root"));
        MAY_USE.put("bench", List.of("jmh", "ptx", "op", "root"));
        MAY_USE.put("measure", List.of("jmh", "report", "rollup", "backends", "energy", "backend", "reference", "tensor",
                "op", "root"));
        MAY_USE.put("jmh", List.of("report", "backends", "energy", "backend", "reference", "op", "root"));
        MAY_USE.put("report", List.of("rollup", "backend", "op", "root"));
        MAY_USE.put("rollup", List.of("op"));
        MAY_USE.put("backends", List.of("cpu", "cuda", "backend"));
        MAY_USE.put("cpu", List.of("backend", "reference", "tensor", "op", "root"));
        MAY_USE.put("cuda", List.of("ptx", "backend", "reference", "tensor", "op", "root"));
        MAY_USE.put("ptx", List.of());
        MAY_USE.put("energy", List.of());
        MAY_USE.put("backend", List.of("reference", "tensor", "op", "root"));
        MAY_USE.put("reference", List.of("tensor", "op"));
        MAY_USE.put("tensor", List.of("op"));
        MAY_USE.put("op", List.of("root"));
        MAY_USE.put("root", List.of());
    }

    @Test
    void packagesFormNoCycle() {
        slices().matching("dev.tokenmill.(*)..").should().beFreeOfCycles().check(CLASSES);
    }

    @Test
    void eachPackageUsesOnlyThePackagesBelowIt() {
        LayeredArchitecture layers = layeredArchitecture().consideringOnlyDependenciesInLayers().withOptionalLayers(true);
        for (String p : MAY_USE.keySet())
            layers = layers.layer(p).definedBy(p.equals("root") ? "dev.tokenmill" : "dev.tokenmill." + p + "..");
        for (Map.Entry<String, List<String>> e : MAY_USE.entrySet())
            layers = e.getValue().isEmpty() ? layers.whereLayer(e.getKey()).mayNotAccessAnyLayer()
                    : layers.whereLayer(e.getKey()).mayOnlyAccessLayers(e.getValue().toArray(String[]::new));
        layers.check(CLASSES);
    }

    @Test
    void srcMainDoesNotUseTheBenchmarks() {
        noClasses().that().resideOutsideOfPackage("dev.tokenmill.bench..")
                .should().dependOnClassesThat().resideInAPackage("dev.tokenmill.bench..")
                .check(CLASSES);
    }
}
