package dev.tokenmill.report;

import dev.tokenmill.op.Workloads;
import dev.tokenmill.rollup.Rollup;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * PNG charts of result files: a roofline per device (each record at its arithmetic intensity and achieved
 * FLOP/s, under the measured ceilings and the datasheet's), prefill-vs-decode bars across devices, which
 * show at a glance that prefill is judged by FLOP/s and decode by bytes/s, and the model roll-ups' tokens/s and
 * tokens/J per device (a panel per phase: prefill and decode rates differ by orders of magnitude).
 */
public final class Charts {
    private static final int WIDTH = 900, HEIGHT = 600;

    static { System.setProperty("java.awt.headless", "true"); }

    private Charts() {}

    /** Writes every chart into {@code dir}; returns the file names written, in order. */
    public static List<String> write(Path dir, List<ResultFile> results, List<String> names) {
        List<String> written = new ArrayList<>();
        try {
            Files.createDirectories(dir);
            for (int i = 0; i < results.size(); i++) {
                XYChart roofline = roofline(results.get(i), names.get(i));
                if (roofline == null) continue;
                String file = "roofline-" + results.get(i).device().id() + (countId(results, i) > 1 ? "-" + i : "") + ".png";
                BitmapEncoder.saveBitmap(roofline, dir.resolve(file).toString(), BitmapEncoder.BitmapFormat.PNG);
                written.add(file);
            }
            String bars = "prefill-vs-decode.png";
            BitmapEncoder.saveBitmap(List.of(bars(results, names, true), bars(results, names, false)), 1, 2,
                    dir.resolve(bars).toString(), BitmapEncoder.BitmapFormat.PNG);
            written.add(bars);
            Map<String, Rollup[]> passes = new Comparison(results).rollupsByPass();
            for (boolean perJoule : new boolean[]{false, true}) {
                List<CategoryChart> panels = new ArrayList<>();
                for (Rollup.Phase phase : Rollup.Phase.values()) {
                    CategoryChart c = rollupBars(passes, names, phase, perJoule);
                    if (c != null) panels.add(c);
                }
                if (panels.isEmpty()) continue;
                String file = perJoule ? "rollup-tokens-per-joule.png" : "rollup-tokens-per-second.png";
                BitmapEncoder.saveBitmap(List.copyOf(panels), 1, panels.size(), dir.resolve(file).toString(),
                        BitmapEncoder.BitmapFormat.PNG);
                written.add(file);
            }
            return written;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write charts into " + dir + ": " + e.getMessage(), e);
        }
    }

    private static long countId(List<ResultFile> results, int i) {
        return results.stream().filter(r -> r.device().id().equals(results.get(i).device().id())).count();
    }

    /** Null when no record has FLOPs to place. */
    static XYChart roofline(ResultFile r, String name) {
        List<Record> placed = r.records().stream().filter(x -> x.tflops() != null && x.arithmeticIntensity() != null).toList();
        if (placed.isEmpty()) return null;
        XYChart c = new XYChartBuilder().width(WIDTH).height(HEIGHT).title("Roofline: " + name)
                .xAxisTitle("arithmetic intensity (FLOP/byte)").yAxisTitle("GFLOP/s").build();
        c.getStyler().setXAxisLogarithmic(true).setYAxisLogarithmic(true).setLegendPosition(Styler.LegendPosition.InsideNW);
        double lo = placed.stream().mapToDouble(Record::arithmeticIntensity).min().orElse(1) / 4;
        double hi = placed.stream().mapToDouble(Record::arithmeticIntensity).max().orElse(1) * 4;
        Ceilings ceil = r.ceilings();
        if (ceil != null) {
            ceil.peakTflops().forEach((dtype, tf) -> line(c, dtype + " " + ceil.computeSource(dtype), ceil.copyGbs(), tf, lo, hi,
                    SeriesLines.SOLID));
            if (ceil.datasheet() != null) {
                var d = ceil.datasheet();
                line(c, "datasheet bf16", d.memoryGbs(), d.bf16Tflops(), lo, hi, SeriesLines.DASH_DASH);
            }
        }
        for (String suite : Workloads.SUITES) {
            List<Double> x = new ArrayList<>(), y = new ArrayList<>();
            for (Record rec : placed)
                if (rec.suite().equals(suite)) {
                    x.add(rec.arithmeticIntensity());
                    y.add(rec.tflops() * 1e3);
                }
            if (x.isEmpty()) continue;
            XYSeries s = c.addSeries(suite + " records", x, y);
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            s.setMarker(SeriesMarkers.CIRCLE);
        }
        return c;
    }

    /** The roofline {@code min(peak, AI·bandwidth)} from {@code lo} to {@code hi}, with its ridge point. */
    private static void line(XYChart c, String name, Double gbs, double tflops, double lo, double hi,
                             java.awt.BasicStroke stroke) {
        double peak = tflops * 1e3;
        List<Double> x = new ArrayList<>(), y = new ArrayList<>();
        if (gbs == null) {
            x.addAll(List.of(lo, hi));
            y.addAll(List.of(peak, peak));
        } else {
            double ridge = peak / gbs;
            for (double ai : new double[]{Math.min(lo, ridge / 10), ridge, Math.max(hi, ridge * 10)}) {
                x.add(ai);
                y.add(Math.min(peak, ai * gbs));
            }
        }
        XYSeries s = c.addSeries(name, x, y);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        s.setMarker(SeriesMarkers.NONE);
        s.setLineStyle(stroke);
    }

    /**
     * Tokens/s ({@code perJoule} false) or tokens/J of each rolled-up pass of {@code phase}, a bar per device;
     * null when no device has the figure for such a pass. A device without it has no bar (never a zero one).
     */
    static CategoryChart rollupBars(Map<String, Rollup[]> passes, List<String> names, Rollup.Phase phase, boolean perJoule) {
        List<String> categories = new ArrayList<>();
        List<List<Double>> perDevice = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) perDevice.add(new ArrayList<>());
        for (Rollup[] row : passes.values()) {
            Rollup any = java.util.Arrays.stream(row).filter(java.util.Objects::nonNull).findFirst().orElseThrow();
            if (any.phase() != phase) continue;
            boolean some = false;
            for (Rollup r : row) some |= r != null && value(r, perJoule) != null;
            if (!some) continue;
            categories.add(Comparison.setting(any) + (models(passes) > 1 ? " " + any.model() : ""));
            for (int i = 0; i < row.length; i++) perDevice.get(i).add(row[i] == null ? null : value(row[i], perJoule));
        }
        if (categories.isEmpty()) return null;
        String what = perJoule ? "tokens/J" : "tokens/s";
        CategoryChart c = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
                .title("Model roll-up, " + phase.id() + ": " + what + " (kernel-bound estimate)")
                .xAxisTitle(phase.id() + " pass").yAxisTitle(what).build();
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        for (int i = 0; i < names.size(); i++) {
            boolean none = perDevice.get(i).stream().allMatch(java.util.Objects::isNull);
            c.addSeries(names.get(i) + (none ? " (not measured)" : ""), categories, perDevice.get(i));
        }
        return c;
    }

    private static Double value(Rollup r, boolean perJoule) { return perJoule ? r.tokensPerJoule() : r.tokensPerSecond(); }

    private static long models(Map<String, Rollup[]> passes) {
        return passes.values().stream().flatMap(java.util.Arrays::stream).filter(java.util.Objects::nonNull)
                .map(Rollup::model).distinct().count();
    }

    /** Median GFLOP/s ({@code flops}) or GB/s of each suite's records, per device. */
    static CategoryChart bars(List<ResultFile> results, List<String> names, boolean flops) {
        CategoryChart c = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
                .title(flops ? "Compute: median GFLOP/s" : "Memory: median GB/s")
                .xAxisTitle("device").yAxisTitle(flops ? "GFLOP/s" : "GB/s").build();
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        for (String suite : Workloads.SUITES) {
            List<Double> y = new ArrayList<>();
            for (ResultFile r : results) {
                List<Double> v = r.records(suite).stream()
                        .map(x -> flops ? (x.tflops() == null ? null : x.tflops() * 1e3) : x.gbs())
                        .filter(java.util.Objects::nonNull).sorted().toList();
                y.add(v.isEmpty() ? 0.0 : v.get(v.size() / 2));
            }
            c.addSeries(suite, names, y);
        }
        return c;
    }
}
