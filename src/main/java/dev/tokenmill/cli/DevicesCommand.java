package dev.tokenmill.cli;

import dev.tokenmill.backend.Availability;
import dev.tokenmill.backend.Backend;
import dev.tokenmill.backends.BackendCatalog;
import dev.tokenmill.report.Datasheet;
import dev.tokenmill.report.Figures;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;

/** Each backend: whether it works here (and why not), its device's properties, and the datasheet peaks. */
@Command(name = "devices", description = "Lists the backends, whether they work here, and their properties.")
final class DevicesCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        for (Backend b : BackendCatalog.all()) {
            try (b) {
                Availability a = b.availability();
                if (!a.available()) {
                    out.println(b.name() + ": not available: " + a.reason());
                    continue;
                }
                var d = b.device();
                out.println(b.name() + ": " + d.name() + " [" + d.id() + "]");
                d.properties().forEach((k, v) -> out.println("  " + k + ": " + v));
                if (b.cannotTime().isPresent()) continue; // it measures nothing: no ceiling applies
                Datasheet.match(d.name()).ifPresentOrElse(
                        s -> out.println(String.format(Locale.ROOT, "  datasheet (%s): %s f32, %s f16, %s bf16 dense; %s",
                                s.name(), Figures.flops(s.f32Tflops()), Figures.flops(s.f16Tflops()),
                                Figures.flops(s.bf16Tflops()), Figures.bandwidth(s.memoryGbs()))),
                        () -> out.println("  datasheet: none known for this device (measured ceilings still apply)"));
            }
        }
        out.println();
        out.println("datasheet peaks tokenmill knows (dense, fp32 accumulation):");
        for (Datasheet s : Datasheet.all())
            out.println(String.format(Locale.ROOT, "  %-24s %11s f32  %13s f16/bf16  %9s", s.name(),
                    Figures.flops(s.f32Tflops()), Figures.flops(s.bf16Tflops()), Figures.bandwidth(s.memoryGbs())));
        return 0;
    }
}
